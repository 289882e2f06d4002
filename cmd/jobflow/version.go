package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// versionString is the version with the commit it was built from, when the
// build recorded one.
func versionString() string {
	commit := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				commit = s.Value[:12]
			}
			if s.Key == "vcs.modified" && s.Value == "true" && commit != "" {
				commit += "-dirty"
			}
		}
	}
	if commit == "" {
		return fmt.Sprintf("jobflow %s (%s)", version, runtime.Version())
	}
	return fmt.Sprintf("jobflow %s (commit %s, %s)", version, commit, runtime.Version())
}
