package main

import (
	"strings"
	"testing"
)

func TestAdd(t *testing.T) {
	if got := add(2, 3); got != 5 {
		t.Fatalf("add(2, 3) = %d, want 5", got)
	}
}

func TestLibcVersion(t *testing.T) {
	if v := libcVersion(); !strings.HasPrefix(v, "2.") {
		t.Fatalf("libcVersion() = %q, want 2.x", v)
	}
}
