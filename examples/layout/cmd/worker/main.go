// Command worker is the layout example's background worker: it prints its
// status line for each job it is given, or once.
package main

import (
	"fmt"
	"os"

	"example.com/layout/internal/service"
)

func main() {
	status := service.Status("worker")
	if len(os.Args) == 1 {
		fmt.Println(status)
		return
	}
	for _, job := range os.Args[1:] {
		fmt.Printf("%s (%s)\n", status, job)
	}
}
