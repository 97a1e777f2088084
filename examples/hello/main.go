// Command hello is the smallest gofront example: one main package at the
// module root, no dependencies.
package main

import "fmt"

func main() {
	fmt.Println(greeting("gofront"))
}

// greeting returns the line hello prints.
func greeting(who string) string {
	return "Hello from " + who + "!"
}
