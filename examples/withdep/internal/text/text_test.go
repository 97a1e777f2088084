package text

import "testing"

func TestClean(t *testing.T) {
	if got := Clean("  hi \n"); got != "hi" {
		t.Fatalf("Clean = %q, want %q", got, "hi")
	}
}
