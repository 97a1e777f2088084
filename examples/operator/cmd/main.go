// Command manager is the entry point of a kubebuilder-style operator: its
// main package is cmd/, `go build -o manager cmd/main.go` names the binary,
// and the manifests in config/ run it at /manager.
package main

import (
	"flag"
	"fmt"
	"os"

	"example.com/operator/internal/controller"
)

func main() {
	metrics := flag.String("metrics-bind-address", ":8080", "metrics endpoint")
	probes := flag.String("health-probe-bind-address", ":8081", "health probes")
	flag.Parse()
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: starting %s (metrics %s, probes %s)\n", exe, controller.Name, *metrics, *probes)
}
