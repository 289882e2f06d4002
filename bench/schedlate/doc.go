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

// Figures on the 2-core development machine (AMD EPYC, PostgreSQL 127.0.0.1,
// temporaltest with the embedded server's settings), 2026-11-25:
//
//	one:  111 runs, lateness median 413 ms, p99 1.04 s; of which before the
//	      FlowRun execution started (Temporal's schedule): median 400 ms,
//	      p99 1.02 s. jobflow's own part (execution start → first job
//	      start) is about 15 ms at the median.
//	many: 1,000 workflows published in 15.4 s (65 publishes/s, 8 at a
//	      time); 2,000 runs of two minutes' fires: lateness median 23.0 s,
//	      p99 41.0 s, max 41.4 s; execution start median 19.7 s, p99 34.5 s.
//	      With Temporal's default 30 schedule starts/s (-schedlate.rps=30):
//	      median 27.2 s, p99 53.3 s. Every fire runs within its minute, but
//	      1,000 simultaneous runs saturate two cores (server, worker, 1,000
//	      bash processes, PostgreSQL), so they are not on time.
package schedlate
