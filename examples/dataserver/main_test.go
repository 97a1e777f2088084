package main

import (
	"os"
	"testing"
)

func TestSetting(t *testing.T) {
	b, err := os.ReadFile("config/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := setting(string(b), "listen"); got != ":8080" {
		t.Fatalf("listen = %q, want :8080", got)
	}
}

func TestFixture(t *testing.T) {
	if _, err := os.Stat("testdata/fixture.txt"); err != nil {
		t.Fatal(err)
	}
}
