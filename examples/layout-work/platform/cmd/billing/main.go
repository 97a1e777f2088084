// Command billing is one of the layout-work example's four services.
package main

import (
	"fmt"

	"example.com/platform/internal/health"
)

func main() {
	fmt.Println(health.Report("billing"))
}
