package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"regexp"
	"testing"
)

// initialBudget is the console's budget for the initial load (docs/console.md#initial-load:
// ≤ 600 KiB gzip): index.html and every script, preload and stylesheet it
// names. Lazily loaded pages (editor, run view, admin …) are not in it.
const initialBudget = 600 << 10

var assetRef = regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`)

// initialLoad returns the raw and gzip (level 9, as the server sends them)
// sizes of what the browser loads first.
func initialLoad() (raw, gz int, files []string, err error) {
	index, err := fs.ReadFile(Dist(), "index.html")
	if err != nil {
		return 0, 0, nil, err
	}
	files = []string{"index.html"}
	for _, m := range assetRef.FindAllSubmatch(index, -1) {
		files = append(files, string(m[1]))
	}
	for _, f := range files {
		b, err := fs.ReadFile(Dist(), f)
		if err != nil {
			return 0, 0, nil, err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		raw += len(b)
		gz += buf.Len()
	}
	return raw, gz, files, nil
}

// TestInitialLoadBudget keeps the initial load within its budget and logs
// the figure docs/console.md quotes (go test -v ./web -run Budget).
func TestInitialLoadBudget(t *testing.T) {
	raw, gz, files, err := initialLoad()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("index.html names only %v", files)
	}
	t.Logf("initial load: %d files, %.1f KiB raw, %.1f KiB gzip", len(files), float64(raw)/1024, float64(gz)/1024)
	if gz > initialBudget {
		t.Fatalf("initial load is %.1f KiB gzip, over the %d KiB budget: %v", float64(gz)/1024, initialBudget>>10, files)
	}
}
