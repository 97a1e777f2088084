// Package greeting formats the status lines printed by the multi example's
// commands. Both cmd/server and cmd/cli import it.
package greeting

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultPort is the port the server reports when PORT is unset.
const DefaultPort = 8080

// Line prefixes msg with the component name: Line("cli", "ok") is "cli: ok".
func Line(component, msg string) string {
	return strings.TrimSpace(component) + ": " + msg
}

// ListenAddr turns the value of a PORT variable into a listen address.
// An empty value means DefaultPort.
func ListenAddr(port string) (string, error) {
	port = strings.TrimSpace(port)
	if port == "" {
		return ":" + strconv.Itoa(DefaultPort), nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("invalid port %q", port)
	}
	return ":" + strconv.Itoa(n), nil
}
