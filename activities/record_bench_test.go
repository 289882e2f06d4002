package activities

import (
	"context"
	"fmt"
	"testing"

	"jobflow"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// BenchmarkRecordRun_10000Nodes is the first record of a 10,000-job run:
// every node row PENDING, in one RecordRun (it must stay well inside the
// record's 30 s attempt timeout).
//
//	go test ./activities -run '^$' -bench RecordRun_10000Nodes -benchtime 3x
func BenchmarkRecordRun_10000Nodes(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			e := newTestEnv(b, dialect)
			for range b.N {
				run := *e.run
				run.ID = jobflow.NewID(jobflow.PrefixRun)
				in := workflows.RecordRunInput{Run: run, Start: true}
				for i := range 10000 {
					in.Nodes = append(in.Nodes, jobflow.NodeRun{RunID: run.ID, JobID: fmt.Sprintf("job_%05d", i), JobName: "j", JobType: jobflow.JobShell, Status: jobflow.NodePending})
				}
				if err := e.a.RecordRun(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
