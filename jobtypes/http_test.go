package jobtypes

import "testing"

func TestTrimPartialRune(t *testing.T) {
	s := []byte("ab€") // € is 3 bytes
	for cut, want := range map[int]string{5: "ab€", 4: "ab", 3: "ab", 2: "ab"} {
		if got := string(trimPartialRune(s[:cut])); got != want {
			t.Errorf("trimPartialRune(%q) = %q, want %q", s[:cut], got, want)
		}
	}
}
