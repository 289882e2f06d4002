package jobtypes_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"jobflow"
	"jobflow/jobtypes"
)

// minimal are the smallest valid configs of each type.
var minimal = map[jobflow.JobType]string{
	jobflow.JobShell:     `{"script":"true"}`,
	jobflow.JobPython:    `{"script":"pass"}`,
	jobflow.JobSQL:       `{"datasourceId":"ds_1","sql":"select 1"}`,
	jobflow.JobHTTP:      `{"url":"https://example.com/"}`,
	jobflow.JobCondition: `{"cases":[{"when":"true"}]}`,
	jobflow.JobSubflow:   `{"workflowId":"wf_1"}`,
	jobflow.JobDependent: `{"items":[{"workflowId":"wf_1","window":"today"}]}`,
	jobflow.JobApproval:  `{"approvers":{"roles":["TENANT_ADMIN"]}}`,
	jobflow.JobForEach:   `{"workflowId":"wf_1","items":[]}`,
}

// TestRegistry: every type of All is registered under its name, in the
// order of the API's error message; ACTIVITY types have an executor and
// CONTROL types none.
func TestRegistry(t *testing.T) {
	var names []string
	for _, d := range jobflow.JobTypes() {
		names = append(names, string(d.Type()))
		if jobflow.LookupJobType(d.Type()) != d {
			t.Errorf("%s: lookup gives another type", d.Type())
		}
		ex := jobtypes.ExecutorOf(d.Type())
		if (d.Kind() == jobflow.KindActivity) != (ex != nil) {
			t.Errorf("%s: kind %s, executor %v", d.Type(), d.Kind(), ex != nil)
		}
	}
	if got := strings.Join(names, ","); got != "SHELL,PYTHON,SQL,HTTP,CONDITION,SUBFLOW,DEPENDENT,APPROVAL,FOREACH" {
		t.Errorf("registered %s", got)
	}
	j := jobflow.Job{Name: "x", Type: "FTP", Config: json.RawMessage(`{}`)}
	if err := j.Normalize(); err == nil || jobflow.ErrorMessage(err) != "type must be one of SHELL, PYTHON, SQL, HTTP, CONDITION, SUBFLOW, DEPENDENT, APPROVAL, FOREACH" {
		t.Errorf("unknown type: %v", err)
	}
}

// TestSchemaAndDefaults: each type's schema names exactly its config's
// JSON fields, the required ones among them, and its defaults are what
// Normalize fills into a minimal config.
func TestSchemaAndDefaults(t *testing.T) {
	for _, d := range jobflow.JobTypes() {
		t.Run(string(d.Type()), func(t *testing.T) {
			s := d.Schema()
			props, _ := s["properties"].(map[string]any)
			var fields []string
			rt := reflect.TypeOf(d.Defaults())
			for i := range rt.NumField() {
				name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
				fields = append(fields, name)
			}
			var keys []string
			for k := range props {
				keys = append(keys, k)
			}
			slices.Sort(fields)
			slices.Sort(keys)
			if !slices.Equal(fields, keys) {
				t.Errorf("schema properties %v, config fields %v", keys, fields)
			}
			req, _ := s["required"].([]string)
			for _, r := range req {
				if !slices.Contains(fields, r) {
					t.Errorf("required %s is no field", r)
				}
			}

			v, err := d.Normalize(json.RawMessage(minimal[d.Type()]))
			if err != nil {
				t.Fatalf("minimal config refused: %v", err)
			}
			var got, defaults map[string]any
			b, _ := json.Marshal(v)
			json.Unmarshal(b, &got)
			b, _ = json.Marshal(d.Defaults())
			json.Unmarshal(b, &defaults)
			var given map[string]any
			json.Unmarshal([]byte(minimal[d.Type()]), &given)
			for k, want := range defaults {
				if _, ok := given[k]; ok {
					continue
				}
				if isEmpty(want) && got[k] == nil {
					continue
				}
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("default %s = %v, Normalize fills %v", k, want, got[k])
				}
			}
		})
	}
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

// TestRefCheckers: the types whose configs carry ids check them.
func TestRefCheckers(t *testing.T) {
	for _, ty := range []jobflow.JobType{jobflow.JobSQL, jobflow.JobSubflow, jobflow.JobDependent, jobflow.JobCondition} {
		if _, ok := jobflow.LookupJobType(ty).(jobflow.RefChecker); !ok {
			t.Errorf("%s does not check the ids its config carries", ty)
		}
	}
}
