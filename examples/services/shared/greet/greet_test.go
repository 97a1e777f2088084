package greet

import "testing"

func TestLine(t *testing.T) {
	if got := Line("api", "up"); got != "api: up" {
		t.Fatalf("Line = %q", got)
	}
}
