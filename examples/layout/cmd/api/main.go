// Command api is the layout example's HTTP API: with -listen it serves its
// status line, without it prints it.
package main

import (
	"flag"
	"fmt"
	"os"

	"example.com/layout/cmd/internal/serve"
	"example.com/layout/internal/service"
)

func main() {
	listen := flag.String("listen", "", "address to serve on, e.g. :8080")
	flag.Parse()
	status := service.Status("api")
	if *listen == "" {
		fmt.Println(status)
		return
	}
	if err := serve.Status(*listen, status); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
