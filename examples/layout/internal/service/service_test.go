package service

import "testing"

func TestStatus(t *testing.T) {
	if got := Status("api"); got != "api: ok" {
		t.Fatalf("Status(api) = %q", got)
	}
}
