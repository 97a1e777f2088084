package main

import "testing"

func TestGreeting(t *testing.T) {
	if got, want := greeting("gofront"), "Hello from gofront!"; got != want {
		t.Fatalf("greeting() = %q, want %q", got, want)
	}
}
