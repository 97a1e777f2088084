// Package service is what every command of the layout example shares.
package service

// Status is the line a command prints when it runs.
func Status(name string) string {
	return name + ": ok"
}
