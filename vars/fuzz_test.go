package vars

import (
	"strings"
	"testing"
	"time"
)

// FuzzResolve checks that no text makes Resolve panic, and that text with
// no jobflow placeholder comes back unchanged.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"${qing.current_date}", "$[yyyyMMdd-1]", "$[add_months(yyyyMMdd,-1)]", "${params.a}", "echo ${HOME} $[0]",
		"$[HH:mm-30/24/60]", "$[week_last_day(yyyy-MM-dd,-3)]", "${qing.", "$[", "$", "$[yyyy-1*2*3/4/5]",
	} {
		f.Add(s, int64(1795000000))
	}
	loc := mustLoc(f, "Europe/Berlin")
	f.Fuzz(func(t *testing.T, text string, unix int64) {
		at := time.Unix(unix%(300*365*24*3600), 0)
		got, err := Resolve(text, at, loc, map[string]string{"a": "A"})
		if err != nil {
			return
		}
		if !strings.Contains(text, "${qing.") && !strings.Contains(text, "${params.") && !strings.Contains(text, "$[") && got != text {
			t.Fatalf("Resolve(%q) = %q, want it unchanged", text, got)
		}
		_ = Render(text, map[string]string{"a": "A"})
	})
}
