package main

import (
	"fmt"

	"example.com/layout/internal/service"
)

func main() {
	fmt.Println(service.Status("ctl"))
}
