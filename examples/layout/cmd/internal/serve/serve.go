// Package serve is a library under cmd/: gofront builds no binary of it.
package serve

import (
	"fmt"
	"net/http"
)

// Status answers every request with the status line until the server fails.
func Status(addr, status string) error {
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, status)
	}))
}
