// Command withdep depends on one module, gofront.test/greet, which is
// served by the fixture module proxy that scripts/make-goproxy writes.
package main

import (
	"fmt"

	"example.com/withdep/internal/text"
	"gofront.test/greet"
)

func main() {
	fmt.Println(message())
}

func message() string {
	return text.Clean(greet.Hello("gofront"))
}
