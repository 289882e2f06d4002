package activities

import (
	"context"
	"net/http"

	"jobflow/jobtypes"
	"jobflow/workflows"
)

// executorEnv is the jobtypes.Env of one job: the worker's mechanics an
// executor may use, bound to the job's tenant, run, variables and log.
type executorEnv struct {
	a    *Activities
	in   workflows.RunJobInput
	vars resolver
	log  *nodeLog
}

func (e *executorEnv) Resolve(field, text string) (string, error) {
	return e.vars.resolve(field, text)
}

func (e *executorEnv) Logf(format string, args ...any) { e.log.Printf(format, args...) }

func (e *executorEnv) Log(p []byte) { e.log.Write(p) }

func (e *executorEnv) RunScript(ctx context.Context, s jobtypes.Script) (outcome, error) {
	return e.a.runShell(ctx, e.in, s, e.vars, e.log)
}

func (e *executorEnv) OpenSQL(ctx context.Context, datasourceID string) (*jobtypes.SQLSource, error) {
	return e.a.openSQL(ctx, e.in.TenantID, datasourceID, e.log)
}

func (e *executorEnv) HTTPClient() (*http.Client, func()) {
	return e.a.egressHTTPClient(e.in.TenantID)
}
