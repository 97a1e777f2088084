// Package lib is the library half of the workspace example. The app module
// imports it without a require line: go.work puts both modules in the build.
package lib

import "strings"

// Parts are the words Message joins.
var Parts = []string{"hello", "from", "lib"}

// Message returns the text the app prints after "workspace: ".
func Message() string {
	return strings.Join(Parts, " ")
}
