// Command server reports the address it would listen on and exits. It does
// not open a socket, so it is safe to run in tests.
package main

import (
	"fmt"
	"os"

	"example.com/multi/internal/greeting"
)

func main() {
	addr, err := greeting.ListenAddr(os.Getenv("PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, greeting.Line("server", err.Error()))
		os.Exit(2)
	}
	fmt.Println(greeting.Line("server", "would listen on "+addr))
}
