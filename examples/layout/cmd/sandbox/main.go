// Command sandbox is a scratch program .dockerignore keeps out of builds.
package main

import "fmt"

func main() {
	fmt.Println("sandbox: built, though .dockerignore hides it")
}
