package httpapi

import (
	"context"
	"time"

	"jobflow"
)

// predict fills a live run's prediction (docs/baselines.md#prediction).
// A delta read holds only the changed nodes, so the prediction is made
// from the whole run; a store without run timings predicts nothing.
func (s *Server) predict(ctx context.Context, r *jobflow.Run, delta bool) error {
	ts, ok := s.deps.Runs.(jobflow.RunTimingService)
	if !ok || !r.Status.Live() {
		return nil
	}
	whole := r
	if delta {
		var err error
		if whole, err = s.deps.Runs.FindRunByID(ctx, r.TenantID, r.ID); err != nil {
			return err
		}
	}
	hist, err := ts.FindRunTimings(ctx, r.TenantID, r.WorkflowID, r.ID)
	if err != nil {
		return err
	}
	parents := jobflow.Canvas{Edges: whole.Edges}.Parents()
	r.Prediction = jobflow.Predict(whole, jobflow.JobStatsFrom(hist, parents), time.Now().UTC())
	return nil
}
