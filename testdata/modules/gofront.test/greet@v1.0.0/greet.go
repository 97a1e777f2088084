// Package greet builds friendly greetings. It is a fixture module used by
// gofront's tests; it is served from a local module proxy, never fetched.
package greet

import "strings"

// Hello returns a greeting for name. An empty or blank name greets the world.
func Hello(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "world"
	}
	return "Hello, " + name + "!"
}
