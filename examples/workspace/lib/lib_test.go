package lib

import "testing"

func TestMessage(t *testing.T) {
	if got, want := Message(), "hello from lib"; got != want {
		t.Fatalf("Message() = %q, want %q", got, want)
	}
}
