package activities

import (
	"context"

	"jobflow/workflows"
)

// LoadVariables returns the tenant's plain variables of the given names for
// a CONDITION's expressions (workflows/condition.go). A secret of one of
// those names is left out: its value must never reach a workflow's history.
func (a *Activities) LoadVariables(ctx context.Context, in workflows.LoadVariablesInput) (map[string]string, error) {
	out := map[string]string{}
	if a.Variables == nil || len(in.Names) == 0 {
		return out, nil
	}
	plain, _, err := a.Variables.VariableValues(ctx, in.TenantID)
	if err != nil {
		a.logger().Error("load tenant variables", "tenant", in.TenantID, "err", err)
		return nil, failf("cannot load the tenant's variables")
	}
	for _, n := range in.Names {
		if v, ok := plain[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}
