// Copyright 2026 The gofront authors. A licence header before the doc
// comment, as many repositories have: gofront reads past it.

// Command ctl is the layout example's command-line client.
package main
