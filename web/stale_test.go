package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// buildInputs are what the build is made from; scripts/stamp.mjs lists the same.
var buildInputs = []string{"src", "index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json", "public"}

// inputHash is the SHA-256 over the sorted relative paths and contents of
// every build input, the same as scripts/stamp.mjs writes at build time.
func inputHash(t *testing.T) string {
	t.Helper()
	var files []string
	for _, in := range buildInputs {
		err := filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				files = append(files, filepath.ToSlash(p))
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(f + "\x00"))
		h.Write(b)
		h.Write([]byte("\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestBuildIsFresh fails when the committed build in dist/ was not made from
// the current source, lock file and build config.
func TestBuildIsFresh(t *testing.T) {
	want := inputHash(t)
	got, err := fs.ReadFile(Dist(), BuildHashFile)
	if err != nil {
		t.Fatalf("dist/%s is missing: rebuild the console with `make web` (cd web && npm ci && npm run build) and commit web/dist", BuildHashFile)
	}
	if strings.TrimSpace(string(got)) != want {
		t.Fatalf("the committed console build (web/dist) is stale against web/src, the lock file or the build config:\n"+
			"rebuild it with `make web` (cd web && npm ci && npm run build) and commit web/dist\n(built from %s, sources are %s)",
			strings.TrimSpace(string(got)), want)
	}
}

// TestDistNamesAreStable checks that the build has no content hashes in its
// file names, so a rebuild overwrites files instead of adding new ones.
func TestDistNamesAreStable(t *testing.T) {
	var n int
	err := fs.WalkDir(Dist(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		base := filepath.Base(p)
		if strings.Count(base, "-") > 0 && hasHashPart(base) {
			t.Errorf("%s looks content-hashed", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(Dist(), "index.html"); err != nil {
		t.Fatalf("dist has no index.html (%d files)", n)
	}
}

// hasHashPart says whether a name has a Rollup-style 8-character hash part
// (name-AbC123xy.js).
func hasHashPart(base string) bool {
	stem := strings.SplitN(base, ".", 2)[0]
	parts := strings.Split(stem, "-")
	last := parts[len(parts)-1]
	if len(last) != 8 {
		return false
	}
	var digit, upper bool
	for _, r := range last {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'A' && r <= 'Z':
			upper = true
		}
	}
	return digit && upper
}
