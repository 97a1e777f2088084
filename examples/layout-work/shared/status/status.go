// Package status is the layout-work example's library module, shared by
// every service of the workspace.
package status

// Line is the line a service prints when it runs.
func Line(service string) string {
	return service + ": ok"
}
