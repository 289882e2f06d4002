package vars

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestResolveScope_ParsesOnce: however many references read a job's JSON
// output, it is parsed once per evaluation, and once for every text of a
// Scope made WithCache.
func TestResolveScope_ParsesOnce(t *testing.T) {
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	s := scopeForTest().WithCache()
	text := strings.Repeat("${outputs.extract.body.json('$.a.b[0]')} ${outputs.extract.json('$.id')} ${outputs.extract.body.json('$.s')} ", 50) +
		"#[[get_json_value('${outputs.extract.body}','$.s')]] ${qing.job_a.result_data}"
	for i := 0; i < 3; i++ {
		out, err := ResolveScope(text, at, nil, s)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "7 42 t 7 42 t ") || !strings.Contains(out, ` t {"body":`) {
			t.Fatalf("resolved %.80q", out)
		}
	}
	if s.docs.parses != 2 {
		t.Errorf("parsed %d documents, want 2 (the body output and the whole outputs)", s.docs.parses)
	}
}

// TestResolveScope_Budgets: a thousand references to a 60 KiB output (60
// MiB of text) or to a hundred and fifty 60 KiB JSON outputs (9 MiB to
// parse) fail naming the budget, quickly, allocating less than 64 MiB.
func TestResolveScope_Budgets(t *testing.T) {
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	big := `{"s":"ok","x":"` + strings.Repeat("y", 60<<10) + `"}`
	one := Scope{Upstream: []Upstream{{ID: "j", Name: "big", Outputs: map[string]string{"v": big}}}}
	many := Scope{}
	var refs strings.Builder
	for i := 0; i < 150; i++ {
		name := fmt.Sprintf("big%d", i)
		many.Upstream = append(many.Upstream, Upstream{ID: name, Name: name, Outputs: map[string]string{"v": big + strings.Repeat(" ", i)}})
		fmt.Fprintf(&refs, "${outputs.%s.v.json('$.s')}", name)
	}
	tests := []struct {
		name, text, want string
		s                Scope
	}{
		{"Expansion", strings.Repeat("${outputs.big.v}", 1000), "exceeded their budget of 1048576 bytes of expansion", one},
		{"ExpansionJSON", strings.Repeat("${outputs.big.v.json('$.x')}", 1000), "exceeded their budget of 1048576 bytes of expansion", one},
		{"ExpansionWhole", strings.Repeat("${outputs.big.json('$')}", 1000), "exceeded their budget of 1048576 bytes of expansion", one},
		{"ParsedJSON", refs.String(), "exceeded its budget of 8388608 bytes", many},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			start := time.Now()
			_, err := ResolveScope(tt.text, at, nil, tt.s)
			took := time.Since(start)
			runtime.ReadMemStats(&m1)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			t.Logf("%s: %v in %v, allocated %d KiB", tt.name, err, took, (m1.TotalAlloc-m0.TotalAlloc)>>10)
			if m1.TotalAlloc-m0.TotalAlloc > 64<<20 {
				t.Errorf("allocated %d bytes", m1.TotalAlloc-m0.TotalAlloc)
			}
		})
	}
	// Within the budgets: a text that grows by less than 1 MiB is fine.
	if _, err := ResolveScope(strings.Repeat("${outputs.big.v.json('$.x')}", 10), at, nil, one); err != nil {
		t.Errorf("ten references: %v", err)
	}
}
