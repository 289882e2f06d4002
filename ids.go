package jobflow

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a random identifier with a readable prefix, e.g. "wf_1x9…".
// The prefix tells an operator what an id in a Temporal history points at.
func NewID(prefix string) string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// ID prefixes.
const (
	PrefixTenant     = "tn"
	PrefixUser       = "us"
	PrefixWorkflow   = "wf"
	PrefixJob        = "job"
	PrefixRun        = "run"
	PrefixDatasource = "ds"
	PrefixChannel    = "ch"
	PrefixVersion    = "ver"
)
