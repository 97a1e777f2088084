// Package health is shared by the platform module's services.
package health

import "example.com/shared/status"

// Report is what a service says of itself.
func Report(service string) string {
	return status.Line(service)
}
