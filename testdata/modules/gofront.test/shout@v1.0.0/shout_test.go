package shout

import "testing"

func TestShout(t *testing.T) {
	if got, want := Shout("hey you"), "HEY YOU!"; got != want {
		t.Fatalf("Shout = %q, want %q", got, want)
	}
}
