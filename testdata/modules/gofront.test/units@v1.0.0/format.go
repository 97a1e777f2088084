package units

import (
	"math"
	"strconv"
	"strings"
)

// String formats the quantity with up to three significant decimals,
// e.g. "12.5 km" or "1 kg".
func (q Quantity) String() string {
	return FormatFloat(q.Value, 3) + " " + q.Unit.Symbol
}

// Long formats the quantity with the unit's full name, e.g. "2 metres".
func (q Quantity) Long() string {
	name := q.Unit.Plural
	if q.Value == 1 || q.Value == -1 {
		name = q.Unit.Name
	}
	return FormatFloat(q.Value, 3) + " " + name
}

// Humanize converts q to the preferred unit of its dimension that gives a
// value between 1 and 1000 where possible.
func (q Quantity) Humanize() Quantity {
	if q.Unit.Dim == Temperature {
		return q
	}
	base := q.Base()
	best := q
	for _, u := range All(q.Unit.Dim) {
		if !u.Preferred {
			continue
		}
		v := base / u.Factor
		if math.Abs(v) >= 1 || best.Unit.Symbol == q.Unit.Symbol {
			best = Quantity{Value: v, Unit: u}
		}
	}
	return best
}

// FormatFloat formats v with at most prec digits after the point and no
// trailing zeros.
func FormatFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

var siPrefixes = []struct {
	exp    int
	prefix string
}{
	{-9, "n"}, {-6, "µ"}, {-3, "m"}, {0, ""}, {3, "k"}, {6, "M"}, {9, "G"}, {12, "T"}, {15, "P"},
}

// FormatSI formats v with an SI prefix in front of symbol, e.g.
// FormatSI(1500, "W") is "1.5 kW".
func FormatSI(v float64, symbol string) string {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return FormatFloat(v, 3) + " " + symbol
	}
	exp := int(math.Floor(math.Log10(math.Abs(v))))
	chosen := siPrefixes[0]
	for _, p := range siPrefixes {
		if p.exp <= exp {
			chosen = p
		}
	}
	return FormatFloat(v/math.Pow10(chosen.exp), 3) + " " + chosen.prefix + symbol
}

// FormatBytes formats a byte count with binary prefixes, e.g. "1.5 MiB".
func FormatBytes(n int64) string {
	const unit = 1024
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	if u < unit {
		s := strconv.FormatUint(u, 10) + " B"
		if neg {
			s = "-" + s
		}
		return s
	}
	div, exp := uint64(unit), 0
	for m := u / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	s := FormatFloat(float64(u)/float64(div), 1) + " " + string("KMGTPE"[exp]) + "iB"
	if neg {
		s = "-" + s
	}
	return s
}

// Table renders the units of a dimension as an aligned text table.
func Table(d Dimension) string {
	us := All(d)
	width := 0
	for _, u := range us {
		if len(u.Symbol) > width {
			width = len(u.Symbol)
		}
	}
	var b strings.Builder
	for _, u := range us {
		b.WriteString(u.Symbol)
		b.WriteString(strings.Repeat(" ", width-len(u.Symbol)+2))
		b.WriteString(u.Name)
		b.WriteString(" = ")
		b.WriteString(strconv.FormatFloat(u.Factor, 'g', -1, 64))
		if u.Offset != 0 {
			b.WriteString(" + ")
			b.WriteString(strconv.FormatFloat(u.Offset, 'g', 6, 64))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
