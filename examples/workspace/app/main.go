// Command app is the main module of the workspace example.
package main

import (
	"fmt"

	"example.com/lib"
)

func main() {
	fmt.Println("workspace: " + lib.Message())
}
