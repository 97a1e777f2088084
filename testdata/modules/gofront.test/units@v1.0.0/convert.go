package units

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ErrUnknownUnit is returned for a unit symbol or name that is not known.
var ErrUnknownUnit = errors.New("units: unknown unit")

// ErrIncompatible is returned when converting between dimensions.
var ErrIncompatible = errors.New("units: incompatible dimensions")

// Quantity is a value together with its unit.
type Quantity struct {
	Value float64
	Unit  Unit
}

// Base returns the quantity's value in its dimension's base unit.
func (q Quantity) Base() float64 {
	return q.Value*q.Unit.Factor + q.Unit.Offset
}

// In converts q to the unit named by to.
func (q Quantity) In(to string) (Quantity, error) {
	u, ok := Lookup(to)
	if !ok {
		return Quantity{}, fmt.Errorf("%w: %q", ErrUnknownUnit, to)
	}
	if u.Dim != q.Unit.Dim {
		return Quantity{}, fmt.Errorf("%w: %s to %s", ErrIncompatible, q.Unit.Dim, u.Dim)
	}
	return Quantity{Value: (q.Base() - u.Offset) / u.Factor, Unit: u}, nil
}

// Convert converts value from one unit to another.
func Convert(value float64, from, to string) (float64, error) {
	u, ok := Lookup(from)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownUnit, from)
	}
	q, err := Quantity{Value: value, Unit: u}.In(to)
	if err != nil {
		return 0, err
	}
	return q.Value, nil
}

// MustConvert is Convert for known-good arguments; it panics on error.
func MustConvert(value float64, from, to string) float64 {
	v, err := Convert(value, from, to)
	if err != nil {
		panic(err)
	}
	return v
}

// Parse reads a quantity such as "12.5 km", "3kg", "-40 °F" or "1.5e3 ms".
func Parse(s string) (Quantity, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Quantity{}, errors.New("units: empty quantity")
	}
	end := 0
	for end < len(s) {
		c := rune(s[end])
		if unicode.IsDigit(c) || c == '.' || c == '-' || c == '+' {
			end++
			continue
		}
		if (c == 'e' || c == 'E') && end > 0 && end+1 < len(s) {
			next := rune(s[end+1])
			if unicode.IsDigit(next) || next == '-' || next == '+' {
				end += 2
				continue
			}
		}
		break
	}
	if end == 0 {
		return Quantity{}, fmt.Errorf("units: %q has no number", s)
	}
	v, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		return Quantity{}, fmt.Errorf("units: bad number in %q: %w", s, err)
	}
	sym := strings.TrimSpace(s[end:])
	u, ok := Lookup(sym)
	if !ok {
		return Quantity{}, fmt.Errorf("%w: %q", ErrUnknownUnit, sym)
	}
	return Quantity{Value: v, Unit: u}, nil
}

// Sum adds quantities of one dimension and returns the total in the unit
// of the first one.
func Sum(qs ...Quantity) (Quantity, error) {
	if len(qs) == 0 {
		return Quantity{}, errors.New("units: nothing to sum")
	}
	first := qs[0].Unit
	var base float64
	for _, q := range qs {
		if q.Unit.Dim != first.Dim {
			return Quantity{}, fmt.Errorf("%w: %s and %s", ErrIncompatible, first.Dim, q.Unit.Dim)
		}
		// Offsets only make sense for absolute values; sum differences.
		base += q.Value * q.Unit.Factor
	}
	return Quantity{Value: base / first.Factor, Unit: first}, nil
}
