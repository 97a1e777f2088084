// Command migrate is the layout example's one-shot database migration.
package main

import (
	"fmt"

	"example.com/layout/internal/service"
)

func main() {
	fmt.Println(service.Status("migrate"))
}
