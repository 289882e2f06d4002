// Package schedlate measures how late scheduled runs start: from a
// Temporal Schedule's fire time (the run's logicalTime) to the start of the
// run's first job (its node run's startedAt), on one in-process Temporal
// server with a real worker over PostgreSQL. It is a benchmark, run once:
//
//	go test ./bench/schedlate -run '^$' -bench . -benchtime 1x -timeout 30m
//
// BenchmarkLateness/one: one workflow on an every-second Quartz cron, at
// least 100 runs. BenchmarkLateness/many: 1,000 workflows published on a
// one-minute cron, the runs of two minutes' fires. Both report the median
// and p99 lateness in milliseconds; "many" also reports publishes per second.
package schedlate
