// Command worker is one of the services example's three services.
package main

import (
	"fmt"

	"example.com/shared/greet"
)

func main() {
	fmt.Println(greet.Line("worker", "working"))
}
