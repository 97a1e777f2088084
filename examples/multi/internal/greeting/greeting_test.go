package greeting

import "testing"

func TestLine(t *testing.T) {
	if got, want := Line("cli", "ok"), "cli: ok"; got != want {
		t.Fatalf("Line = %q, want %q", got, want)
	}
}

func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{"": ":8080", "9090": ":9090", " 80 ": ":80"} {
		got, err := ListenAddr(in)
		if err != nil || got != want {
			t.Errorf("ListenAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"http", "0", "70000"} {
		if _, err := ListenAddr(bad); err == nil {
			t.Errorf("ListenAddr(%q) succeeded, want error", bad)
		}
	}
}
