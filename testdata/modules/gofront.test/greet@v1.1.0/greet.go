// Package greet builds friendly greetings. It is a fixture module used by
// gofront's tests; it is served from a local module proxy, never fetched.
package greet

import "strings"

// Hello returns a greeting for name. An empty or blank name greets the world.
//
// Since v1.1.0 the greeting reads "Hello there, <name>!".
func Hello(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "world"
	}
	return "Hello there, " + name + "!"
}
