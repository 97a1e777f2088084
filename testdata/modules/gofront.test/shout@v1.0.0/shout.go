// Package shout turns text into shouting. It is a fixture module used by
// gofront's tests; it is served from a local module proxy, never fetched.
package shout

import "strings"

// Shout upper-cases s and appends an exclamation mark.
func Shout(s string) string {
	return strings.ToUpper(s) + "!"
}
