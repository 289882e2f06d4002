package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jobflow/internal/testtier"
)

// TestSmoke runs make bench at seconds-sized sizes, so every benchmark
// keeps building and running: it checks that each row has a figure from
// each run (not that any target is met: smoke sizes say nothing about
// speed), and that -write replaces only what is between the markers.
func TestSmoke(t *testing.T) {
	testtier.Long(t, "builds and runs every benchmark against its own embedded Temporal server")
	dir := t.TempDir()
	doc := filepath.Join(dir, "benchmarks.md")
	before, after := "# Benchmarks\n\nhand-written text\n\n", "\n\n## More\n\nmore hand-written text\n"
	if err := os.WriteFile(doc, []byte(before+beginMarker+"\nold table\n"+endMarker+after), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-smoke", "-runs", "2", "-write", doc}, &stdout, &stderr); err != nil {
		t.Fatalf("report: %v\n%s", err, tail(stderr.String(), 4000))
	}
	table := stdout.String()
	t.Log(table)
	rows := map[string][]string{}
	for _, what := range []string{"sequential step", "one-job runs per second", "bare no-op activity", "CPU per run",
		"did not succeed", "invoke request → 200", "round 1, lateness p99", "tenant B's job start", "load average"} {
		line := ""
		for l := range strings.SplitSeq(table, "\n") {
			if strings.Contains(l, what) {
				line = l
			}
		}
		if line == "" {
			t.Errorf("no row for %q", what)
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		rows[what] = cells
		if len(cells) != 2+2+2 {
			t.Errorf("row %q has %d cells, want what, target, 2 runs, median, verdict: %q", what, len(cells), line)
			continue
		}
		for _, c := range cells[2:4] {
			if !regexp.MustCompile(`\d`).MatchString(c) || strings.Contains(c, "missing") || strings.Contains(c, "NaN") || strings.Contains(c, "Inf") {
				t.Errorf("row %q: run cell %q is not a figure", what, c)
			}
		}
	}
	// The smoke runs' jobs must all have succeeded: a lost run is a bug at any size.
	if c := rows["did not succeed"]; len(c) == 6 && c[5] != "yes" {
		t.Errorf("some runs did not succeed: %q", c)
	}
	got, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := before + beginMarker + "\n" + table + endMarker + after
	if string(got) != want {
		t.Errorf("the document after -write:\n%s\nwant:\n%s", got, want)
	}
}

// TestWrite_NoMarkers refuses a document without the markers and leaves it
// as it was.
func TestWrite_NoMarkers(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "b.md")
	if err := os.WriteFile(doc, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeBetweenMarkers(doc, "table\n"); err == nil || !strings.Contains(err.Error(), "markers") {
		t.Fatalf("err = %v, want one naming the markers", err)
	}
	if b, _ := os.ReadFile(doc); string(b) != "no markers\n" {
		t.Errorf("document changed: %q", b)
	}
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }
