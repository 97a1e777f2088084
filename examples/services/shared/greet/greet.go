// Package greet is the package the three services share: a bake of all
// three compiles it once.
package greet

// Line is what a service prints.
func Line(service, what string) string {
	return service + ": " + what
}
