package engine

import (
	"context"
	"log/slog"

	"jobflow"
)

// auditRepair records a repair that a reconciler made, in the same audit
// log as the API's calls (docs/lifecycle.md#audit-log): no user, the action
// naming the reconciler's fix. The repair has happened, so a failed write
// is logged and nothing else.
func (e *Engine) auditRepair(ctx context.Context, log *slog.Logger, en jobflow.AuditEntry) {
	en.Result = jobflow.AuditOK
	if err := e.Store.CreateAuditEntry(context.WithoutCancel(ctx), &en); err != nil {
		log.Error("audit write failed", "err", err, "action", en.Action, "object", en.ObjectID)
	}
}
