// Package text tidies the lines withdep prints. It exists so that tests can
// edit a package that main imports and check what rebuilds.
package text

import "strings"

// Clean trims surrounding space from a line.
func Clean(s string) string {
	return strings.TrimSpace(s)
}
