package units

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestConvert(t *testing.T) {
	cases := []struct {
		v        float64
		from, to string
		want     float64
	}{
		{1, "km", "m", 1000},
		{1, "mi", "km", 1.609344},
		{100, "°C", "°F", 212},
		{-40, "°F", "°C", -40},
		{0, "°C", "K", 273.15},
		{1, "GiB", "MiB", 1024},
		{3.6, "km/h", "m/s", 1},
		{1, "kWh", "kJ", 3600},
	}
	for _, c := range cases {
		got, err := Convert(c.v, c.from, c.to)
		if err != nil {
			t.Fatalf("Convert(%v, %s, %s): %v", c.v, c.from, c.to, err)
		}
		if !near(got, c.want) {
			t.Errorf("Convert(%v, %s, %s) = %v, want %v", c.v, c.from, c.to, got, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := Convert(1, "km", "kg"); !errors.Is(err, ErrIncompatible) {
		t.Errorf("km->kg: err = %v", err)
	}
	if _, err := Convert(1, "furlong", "m"); !errors.Is(err, ErrUnknownUnit) {
		t.Errorf("furlong: err = %v", err)
	}
}

func TestParseAndFormat(t *testing.T) {
	q, err := Parse("1500 m")
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Humanize().String(); got != "1.5 km" {
		t.Errorf("Humanize = %q", got)
	}
	if got := FormatBytes(1536 * 1024); got != "1.5 MiB" {
		t.Errorf("FormatBytes = %q", got)
	}
	if got := FormatSI(1500, "W"); got != "1.5 kW" {
		t.Errorf("FormatSI = %q", got)
	}
	if got := (Quantity{Value: 1, Unit: table[0]}).Long(); got != "1 metre" {
		t.Errorf("Long = %q", got)
	}
	if !strings.Contains(Table(Data), "KiB") {
		t.Errorf("Table(Data) lacks KiB")
	}
}
