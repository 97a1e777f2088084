// Command cli is the second binary of the multi example.
package main

import (
	"fmt"

	"example.com/multi/internal/greeting"
)

func main() {
	fmt.Println(greeting.Line("cli", "ok"))
}
