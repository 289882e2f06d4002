// Package web holds jobflow's web console (docs/console.md): its React source under
// src/ and its committed production build under dist/, embedded here so a
// fresh clone builds and serves the console with no Node step. Rebuild the
// build with `make web` (npm ci && npm run build in web/); a test fails when
// dist/ is stale against the source.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// BuildHashFile is the file in dist/ that records the content hash of the
// inputs the build was made from (see inputs_test.go and scripts/stamp.mjs).
const BuildHashFile = "build-hash.txt"

// Dist is the console's production build: index.html at its root, the
// scripts, styles and images under assets/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // cannot happen: dist is embedded at build time
	}
	return sub
}
