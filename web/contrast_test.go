package web

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestStatusColoursContrast computes the WCAG contrast of every status
// tag's text on its colour (src/lib/status.tsx: statusColor, tagText,
// tagFallback) and fails below 4.5:1 (WCAG 2.2 AA for normal text). The
// same ratio holds for the status icons drawn in these colours on white.
func TestStatusColoursContrast(t *testing.T) {
	src, err := os.ReadFile("src/lib/status.tsx")
	if err != nil {
		t.Fatal(err)
	}
	table := regexp.MustCompile(`(?s)export const statusColor: Record<string, string> = \{(.*?)\n\}`).FindSubmatch(src)
	if table == nil {
		t.Fatal("statusColor not found in src/lib/status.tsx")
	}
	pairs := regexp.MustCompile(`([A-Z_]+): '(#[0-9a-fA-F]{6})'`).FindAllSubmatch(table[1], -1)
	if len(pairs) < 20 {
		t.Fatalf("only %d status colours read from statusColor: the test no longer sees the table", len(pairs))
	}
	text := constant(t, src, "tagText")
	colours := map[string]string{"(fallback)": constant(t, src, "tagFallback")}
	for _, p := range pairs {
		colours[string(p[1])] = string(p[2])
	}
	for status, c := range colours {
		if r := contrast(c, text); r < 4.5 {
			t.Errorf("status %s: %s text on %s has contrast %.2f:1, below 4.5:1", status, text, c, r)
		} else {
			t.Logf("%-16s %s on %s  %.2f:1", status, text, c, r)
		}
	}
}

func constant(t *testing.T, src []byte, name string) string {
	m := regexp.MustCompile(`export const ` + name + ` = '(#[0-9a-fA-F]{6})'`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s not found in src/lib/status.tsx", name)
	}
	return string(m[1])
}

// luminance is the WCAG relative luminance of #rrggbb.
func luminance(hex string) float64 {
	var l [3]float64
	for i := range 3 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			l[i] = c / 12.92
		} else {
			l[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

func contrast(a, b string) float64 {
	x, y := luminance(a), luminance(b)
	return (math.Max(x, y) + 0.05) / (math.Min(x, y) + 0.05)
}

func TestContrastFormula(t *testing.T) {
	// Known values: black on white 21:1; the old SUCCESS green 2.27:1.
	if r := contrast("#000000", "#ffffff"); math.Abs(r-21) > 0.01 {
		t.Fatalf("black on white %.2f", r)
	}
	if r := contrast("#52c41a", "#ffffff"); math.Abs(r-2.27) > 0.01 {
		t.Fatalf("#52c41a on white %.2f", r)
	}
}
