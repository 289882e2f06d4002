package store

import (
	"strings"

	"jobflow"
)

// The status columns of UpsertRun's ON CONFLICT clause are built from
// jobflow.RunWriteWins, so the SQL (one atomic statement, no read before
// the write) cannot disagree with the domain's rules.

// runStatusCase is the CASE that picks a run's status: the stored one for
// every (stored, incoming) pair that RunWriteWins refuses, else the
// incoming one.
var runStatusCase = buildRunStatusCase()

// runFinishedList is the SQL list of the finished run statuses, which keep
// their end and error too.
var runFinishedList = buildRunFinishedList()

func buildRunStatusCase() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, stored := range jobflow.RunStatuses {
		var lose []string
		for _, in := range jobflow.RunStatuses {
			if !jobflow.RunWriteWins(stored, in) {
				lose = append(lose, "'"+string(in)+"'")
			}
		}
		switch {
		case len(lose) == len(jobflow.RunStatuses):
			b.WriteString("\n        WHEN runs.status = '" + string(stored) + "' THEN runs.status")
		case len(lose) > 0:
			b.WriteString("\n        WHEN runs.status = '" + string(stored) + "' AND excluded.status IN (" +
				strings.Join(lose, ", ") + ") THEN runs.status")
		}
	}
	b.WriteString("\n        ELSE excluded.status END")
	return b.String()
}

func buildRunFinishedList() string {
	var fin []string
	for _, s := range jobflow.RunStatuses {
		if s.Finished() {
			fin = append(fin, "'"+string(s)+"'")
		}
	}
	return "(" + strings.Join(fin, ", ") + ")"
}
