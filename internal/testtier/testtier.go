// Package testtier tells the fast test tier (go test -short) from the full
// one (go test ./..., what CI runs). The fast tier runs on SQLite and
// in-process Temporal only: no PostgreSQL, MariaDB, chromium, root-only
// work or jobflow processes. A test that needs one of those calls Long
// first; in the full tier Long does nothing, so a missing PostgreSQL or
// chromium still fails the test instead of skipping it.
package testtier

import "testing"

// Long skips t in the fast tier; needs says what the fast tier lacks
// ("PostgreSQL", "root", "the jobflow binary", …).
func Long(t testing.TB, needs string) {
	t.Helper()
	if testing.Short() {
		t.Skip("fast tier (-short): needs " + needs)
	}
}

// Parallel marks t parallel in the fast tier only. The tests that call it
// spend most of their time waiting on an in-process Temporal server, so
// two of them at once fill the two cores instead of one; the full tier
// keeps them sequential, because there PostgreSQL, browsers and jobflow
// processes from the other packages already fill the machine.
func Parallel(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Parallel()
	}
}
