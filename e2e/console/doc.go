// Package console drives jobflow's web console in a real browser
// (Debian's chromium, headless, through chromedp) against a real jobflow
// API: the testrig's in-process Temporal server, PostgreSQL store, worker
// and engine. One subtest per scenario of the console's acceptance list;
// each saves screenshots of the screens it passes through.
//
//	go test ./e2e/console/                                     # screenshots in the test temp dir
//	JOBFLOW_SCREENSHOTS=$PWD/screens go test ./e2e/console/    # keep them in ./screens
package console
