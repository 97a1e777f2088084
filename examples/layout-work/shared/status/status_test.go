package status

import "testing"

func TestLine(t *testing.T) {
	if got := Line("gateway"); got != "gateway: ok" {
		t.Fatalf("Line(gateway) = %q", got)
	}
}
