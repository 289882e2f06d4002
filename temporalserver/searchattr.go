package temporalserver

import (
	"context"
	"fmt"
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
)

// SearchAttributes are the custom search attributes jobflow sets on every
// run, so the Temporal Web UI can filter the runs of one workflow, tenant or
// trigger. The names are those of workflows.SATenantID, SAWorkflowID and
// SATrigger (cmd/jobflow's tests check that they agree); they are spelled
// out here so that the server does not depend on the workflow code.
var SearchAttributes = map[string]enumspb.IndexedValueType{
	"JobflowTenantId":   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"JobflowWorkflowId": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"JobflowTrigger":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
}

// RegisterSearchAttributes adds jobflow's search attributes to namespace
// through the operator service (client.Client's OperatorService()), which
// works on the embedded server and on an external cluster alike. Attributes
// already there are left alone, so it is safe at every start; one that
// exists with another type is an error naming it. It returns once the
// cluster lists all of them (Elasticsearch adds them asynchronously).
func RegisterSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string) error {
	missing, err := missingSearchAttributes(ctx, op, namespace)
	if err != nil {
		return err
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("add search attributes to namespace %q: %w", namespace, err)
	}
	for {
		missing, err := missingSearchAttributes(ctx, op, namespace)
		if err != nil {
			return err
		}
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("search attributes %v not visible in namespace %q: %w", names(missing), namespace, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// missingSearchAttributes lists those of SearchAttributes that namespace
// does not have yet.
func missingSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string) (map[string]enumspb.IndexedValueType, error) {
	resp, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes of namespace %q: %w", namespace, err)
	}
	have := resp.GetCustomAttributes()
	missing := map[string]enumspb.IndexedValueType{}
	for name, want := range SearchAttributes {
		got, ok := have[name]
		switch {
		case !ok:
			missing[name] = want
		case got != want:
			return nil, fmt.Errorf("search attribute %s exists in namespace %q as %s, jobflow needs %s", name, namespace, got, want)
		}
	}
	return missing, nil
}

func names(m map[string]enumspb.IndexedValueType) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
