// Package units converts and formats physical quantities and data sizes.
//
// It is a fixture module owned by the gofront project: it is served from a
// local module proxy during tests and benchmarks, never fetched from the
// internet. The code is small but real, so that linking it into a binary
// costs roughly what a real dependency costs.
package units

import (
	"fmt"
	"sort"
)

// Dimension is the physical dimension a unit measures.
type Dimension int

const (
	Length Dimension = iota + 1
	Mass
	Time
	Temperature
	Volume
	Speed
	Data
	Energy
)

var dimensionNames = map[Dimension]string{
	Length:      "length",
	Mass:        "mass",
	Time:        "time",
	Temperature: "temperature",
	Volume:      "volume",
	Speed:       "speed",
	Data:        "data",
	Energy:      "energy",
}

// String returns the lower-case name of the dimension.
func (d Dimension) String() string {
	if n, ok := dimensionNames[d]; ok {
		return n
	}
	return fmt.Sprintf("Dimension(%d)", int(d))
}

// Unit is one unit of measure. A value v in this unit equals
// v*Factor + Offset in the dimension's base unit.
type Unit struct {
	Symbol    string
	Name      string
	Plural    string
	Dim       Dimension
	Factor    float64
	Offset    float64
	Aliases   []string
	Preferred bool
}

// Base units: metre, kilogram, second, kelvin, cubic metre, metre per
// second, byte and joule.
var table = []Unit{
	// Length.
	{Symbol: "m", Name: "metre", Plural: "metres", Dim: Length, Factor: 1, Aliases: []string{"meter", "meters"}, Preferred: true},
	{Symbol: "km", Name: "kilometre", Plural: "kilometres", Dim: Length, Factor: 1e3, Aliases: []string{"kilometer", "kilometers"}, Preferred: true},
	{Symbol: "cm", Name: "centimetre", Plural: "centimetres", Dim: Length, Factor: 1e-2, Aliases: []string{"centimeter", "centimeters"}, Preferred: true},
	{Symbol: "mm", Name: "millimetre", Plural: "millimetres", Dim: Length, Factor: 1e-3, Aliases: []string{"millimeter", "millimeters"}, Preferred: true},
	{Symbol: "um", Name: "micrometre", Plural: "micrometres", Dim: Length, Factor: 1e-6, Aliases: []string{"µm", "micron", "microns"}},
	{Symbol: "nm", Name: "nanometre", Plural: "nanometres", Dim: Length, Factor: 1e-9, Aliases: []string{"nanometer"}},
	{Symbol: "in", Name: "inch", Plural: "inches", Dim: Length, Factor: 0.0254, Aliases: []string{"\""}},
	{Symbol: "ft", Name: "foot", Plural: "feet", Dim: Length, Factor: 0.3048, Aliases: []string{"'"}},
	{Symbol: "yd", Name: "yard", Plural: "yards", Dim: Length, Factor: 0.9144},
	{Symbol: "mi", Name: "mile", Plural: "miles", Dim: Length, Factor: 1609.344},
	{Symbol: "nmi", Name: "nautical mile", Plural: "nautical miles", Dim: Length, Factor: 1852},
	{Symbol: "au", Name: "astronomical unit", Plural: "astronomical units", Dim: Length, Factor: 149597870700},

	// Mass.
	{Symbol: "kg", Name: "kilogram", Plural: "kilograms", Dim: Mass, Factor: 1, Preferred: true},
	{Symbol: "g", Name: "gram", Plural: "grams", Dim: Mass, Factor: 1e-3, Preferred: true},
	{Symbol: "mg", Name: "milligram", Plural: "milligrams", Dim: Mass, Factor: 1e-6, Preferred: true},
	{Symbol: "t", Name: "tonne", Plural: "tonnes", Dim: Mass, Factor: 1e3, Aliases: []string{"metric ton"}, Preferred: true},
	{Symbol: "lb", Name: "pound", Plural: "pounds", Dim: Mass, Factor: 0.45359237, Aliases: []string{"lbs"}},
	{Symbol: "oz", Name: "ounce", Plural: "ounces", Dim: Mass, Factor: 0.028349523125},
	{Symbol: "st", Name: "stone", Plural: "stone", Dim: Mass, Factor: 6.35029318},

	// Time.
	{Symbol: "s", Name: "second", Plural: "seconds", Dim: Time, Factor: 1, Aliases: []string{"sec", "secs"}, Preferred: true},
	{Symbol: "ms", Name: "millisecond", Plural: "milliseconds", Dim: Time, Factor: 1e-3, Preferred: true},
	{Symbol: "us", Name: "microsecond", Plural: "microseconds", Dim: Time, Factor: 1e-6, Aliases: []string{"µs"}, Preferred: true},
	{Symbol: "ns", Name: "nanosecond", Plural: "nanoseconds", Dim: Time, Factor: 1e-9, Preferred: true},
	{Symbol: "min", Name: "minute", Plural: "minutes", Dim: Time, Factor: 60, Preferred: true},
	{Symbol: "h", Name: "hour", Plural: "hours", Dim: Time, Factor: 3600, Aliases: []string{"hr", "hrs"}, Preferred: true},
	{Symbol: "d", Name: "day", Plural: "days", Dim: Time, Factor: 86400, Preferred: true},
	{Symbol: "wk", Name: "week", Plural: "weeks", Dim: Time, Factor: 604800},

	// Temperature: affine conversions.
	{Symbol: "K", Name: "kelvin", Plural: "kelvins", Dim: Temperature, Factor: 1, Preferred: true},
	{Symbol: "°C", Name: "degree Celsius", Plural: "degrees Celsius", Dim: Temperature, Factor: 1, Offset: 273.15, Aliases: []string{"C", "degC", "celsius"}, Preferred: true},
	{Symbol: "°F", Name: "degree Fahrenheit", Plural: "degrees Fahrenheit", Dim: Temperature, Factor: 5.0 / 9.0, Offset: 459.67 * 5.0 / 9.0, Aliases: []string{"F", "degF", "fahrenheit"}},

	// Volume.
	{Symbol: "m3", Name: "cubic metre", Plural: "cubic metres", Dim: Volume, Factor: 1, Aliases: []string{"m³"}, Preferred: true},
	{Symbol: "L", Name: "litre", Plural: "litres", Dim: Volume, Factor: 1e-3, Aliases: []string{"l", "liter", "liters"}, Preferred: true},
	{Symbol: "mL", Name: "millilitre", Plural: "millilitres", Dim: Volume, Factor: 1e-6, Aliases: []string{"ml", "milliliter"}, Preferred: true},
	{Symbol: "gal", Name: "US gallon", Plural: "US gallons", Dim: Volume, Factor: 3.785411784e-3},
	{Symbol: "qt", Name: "US quart", Plural: "US quarts", Dim: Volume, Factor: 9.46352946e-4},
	{Symbol: "floz", Name: "US fluid ounce", Plural: "US fluid ounces", Dim: Volume, Factor: 2.95735295625e-5, Aliases: []string{"fl oz"}},

	// Speed.
	{Symbol: "m/s", Name: "metre per second", Plural: "metres per second", Dim: Speed, Factor: 1, Preferred: true},
	{Symbol: "km/h", Name: "kilometre per hour", Plural: "kilometres per hour", Dim: Speed, Factor: 1 / 3.6, Aliases: []string{"kph"}, Preferred: true},
	{Symbol: "mph", Name: "mile per hour", Plural: "miles per hour", Dim: Speed, Factor: 0.44704},
	{Symbol: "kn", Name: "knot", Plural: "knots", Dim: Speed, Factor: 1852.0 / 3600.0, Aliases: []string{"kt"}},

	// Data: decimal and binary prefixes.
	{Symbol: "B", Name: "byte", Plural: "bytes", Dim: Data, Factor: 1, Preferred: true},
	{Symbol: "kB", Name: "kilobyte", Plural: "kilobytes", Dim: Data, Factor: 1e3, Aliases: []string{"KB"}, Preferred: true},
	{Symbol: "MB", Name: "megabyte", Plural: "megabytes", Dim: Data, Factor: 1e6, Preferred: true},
	{Symbol: "GB", Name: "gigabyte", Plural: "gigabytes", Dim: Data, Factor: 1e9, Preferred: true},
	{Symbol: "TB", Name: "terabyte", Plural: "terabytes", Dim: Data, Factor: 1e12, Preferred: true},
	{Symbol: "KiB", Name: "kibibyte", Plural: "kibibytes", Dim: Data, Factor: 1 << 10},
	{Symbol: "MiB", Name: "mebibyte", Plural: "mebibytes", Dim: Data, Factor: 1 << 20},
	{Symbol: "GiB", Name: "gibibyte", Plural: "gibibytes", Dim: Data, Factor: 1 << 30},
	{Symbol: "TiB", Name: "tebibyte", Plural: "tebibytes", Dim: Data, Factor: 1 << 40},

	// Energy.
	{Symbol: "J", Name: "joule", Plural: "joules", Dim: Energy, Factor: 1, Preferred: true},
	{Symbol: "kJ", Name: "kilojoule", Plural: "kilojoules", Dim: Energy, Factor: 1e3, Preferred: true},
	{Symbol: "cal", Name: "calorie", Plural: "calories", Dim: Energy, Factor: 4.184},
	{Symbol: "kcal", Name: "kilocalorie", Plural: "kilocalories", Dim: Energy, Factor: 4184},
	{Symbol: "Wh", Name: "watt-hour", Plural: "watt-hours", Dim: Energy, Factor: 3600},
	{Symbol: "kWh", Name: "kilowatt-hour", Plural: "kilowatt-hours", Dim: Energy, Factor: 3.6e6, Preferred: true},
}

var index = buildIndex(table)

func buildIndex(units []Unit) map[string]*Unit {
	idx := make(map[string]*Unit, len(units)*3)
	for i := range units {
		u := &units[i]
		for _, key := range append([]string{u.Symbol, u.Name, u.Plural}, u.Aliases...) {
			if prev, dup := idx[key]; dup && prev != u {
				panic("units: duplicate unit key " + key)
			}
			idx[key] = u
		}
	}
	return idx
}

// Lookup finds a unit by symbol, name, plural or alias.
func Lookup(key string) (Unit, bool) {
	u, ok := index[key]
	if !ok {
		return Unit{}, false
	}
	return *u, true
}

// All returns every unit of dimension d, smallest first.
func All(d Dimension) []Unit {
	var out []Unit
	for _, u := range table {
		if u.Dim == d {
			out = append(out, u)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Factor < out[j].Factor })
	return out
}

// Dimensions returns every known dimension in declaration order.
func Dimensions() []Dimension {
	out := make([]Dimension, 0, len(dimensionNames))
	for d := Length; d <= Energy; d++ {
		out = append(out, d)
	}
	return out
}
