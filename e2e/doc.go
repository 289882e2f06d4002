// Package e2e holds jobflow's end-to-end tests: the real REST API over a
// real PostgreSQL store, a real in-process Temporal server, real workers
// (in-process, or jobflow worker processes that the tests kill) and real
// shell, python, SQL and HTTP jobs. It has no code of its own.
package e2e
