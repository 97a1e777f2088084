// Command cgo calls C: a function defined in the preamble below, and
// gnu_get_libc_version() from the C library the binary runs with. It needs a
// builder with a C compiler and a runtime base with glibc.
package main

/*
#include <gnu/libc-version.h>

static int add(int a, int b) { return a + b; }
*/
import "C"

import "fmt"

func main() {
	fmt.Printf("2 + 3 = %d, computed in C; glibc %s\n", add(2, 3), libcVersion())
}

// add adds two numbers in C.
func add(a, b int) int {
	return int(C.add(C.int(a), C.int(b)))
}

// libcVersion is the version of the glibc the binary runs with.
func libcVersion() string {
	return C.GoString(C.gnu_get_libc_version())
}
