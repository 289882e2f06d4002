package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// RecordRunStart writes a run that has not finished, with node rows, in one
// transaction: the run row under UpsertRun's rules, the node rows under
// UpsertNodeRuns', and for a RUNNING run a Temporal Schedule started,
// RecordScheduledRun's snapshot copy and next run time. It is FlowRun's
// start record: one commit for what took three, which is what a thousand
// runs starting on the same second queue for on SQLite's single writer.
//
// A node row another writer inserts meanwhile fails the INSERT with a
// unique violation and the whole record is rolled back: the caller then
// writes it piece by piece (activities.RecordRun does).
func (s *Store) RecordRunStart(ctx context.Context, r *jobflow.Run, nodes []jobflow.NodeRun) error {
	if r.Status.Finished() {
		return jobflow.Errorf(jobflow.EINVALID, "a start record is of a run that has not finished")
	}
	for i := range nodes {
		if nodes[i].RunID != r.ID || nodes[i].JobID == "" || nodes[i].Status == "" {
			return jobflow.Errorf(jobflow.EINVALID, "a node run of the start record needs the run's id, a job id and a status")
		}
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := upsertRun(ctx, tx, r); err != nil {
			return err
		}
		for lo := 0; lo < len(nodes); lo += nodeRunBatch {
			if err := s.upsertNodeRunBatch(ctx, tx, nodes[lo:min(lo+nodeRunBatch, len(nodes))]); err != nil {
				return err
			}
		}
		if r.Trigger == jobflow.TriggerSchedule && (r.Status == jobflow.RunRunning || r.Status == jobflow.RunQueued) && r.VersionID != "" {
			return s.recordScheduledRun(ctx, tx, r)
		}
		return nil
	})
}
