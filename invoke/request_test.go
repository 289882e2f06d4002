package invoke_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"jobflow"
	"jobflow/invoke"
)

func TestDecodeRequest(t *testing.T) {
	t.Run("SeedBody", func(t *testing.T) {
		r, err := invoke.DecodeRequest(strings.NewReader(`{"workflowId":"sy_1854732390999683072","token":"` + seedToken + `"}`))
		if err != nil {
			t.Fatal(err)
		}
		if r.WorkflowID != "sy_1854732390999683072" || r.Token != seedToken || r.RequestID != "" || len(r.Params) != 0 {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("Full", func(t *testing.T) {
		body := `{"workflowId":"wf_1","token":"t","params":{"bizdate":"20261125","_x1":""},"requestId":"order-42:a.b_c"}`
		r, err := invoke.DecodeRequest(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		want := &invoke.Request{WorkflowID: "wf_1", Token: "t", RequestID: "order-42:a.b_c",
			Params: map[string]string{"bizdate": "20261125", "_x1": ""}}
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("got %+v, want %+v", r, want)
		}
	})
	t.Run("UnknownFieldsIgnored", func(t *testing.T) {
		r, err := invoke.DecodeRequest(strings.NewReader(`{"workflowId":"wf_1","token":"t","tenantId":"x","extra":{"a":[1]}}`))
		if err != nil || r.WorkflowID != "wf_1" {
			t.Fatalf("%+v %v", r, err)
		}
	})
	t.Run("ExactlyMaxParams", func(t *testing.T) {
		if _, err := invoke.DecodeRequest(strings.NewReader(paramsBody(jobflow.MaxParams))); err != nil {
			t.Fatal(err)
		}
	})
}

// paramsBody is a valid body with n params.
func paramsBody(n int) string {
	var ps []string
	for i := range n {
		ps = append(ps, fmt.Sprintf(`"p%d":"v"`, i))
	}
	return `{"workflowId":"wf_1","token":"t","params":{` + strings.Join(ps, ",") + `}}`
}

func TestDecodeRequest_Refused(t *testing.T) {
	tests := []struct {
		name, body, code, field, msg string
	}{
		{"Empty", ``, jobflow.EINVALID, "", "empty"},
		{"Malformed", `{"workflowId":`, jobflow.EINVALID, "", "not valid JSON"},
		{"Syntax", `{workflowId:"wf_1"}`, jobflow.EINVALID, "", "not valid JSON"},
		{"TwoObjects", `{"workflowId":"wf_1","token":"t"}{}`, jobflow.EINVALID, "", "single JSON object"},
		{"TrailingGarbage", `{"workflowId":"wf_1","token":"t"} x`, jobflow.EINVALID, "", "single JSON object"},
		{"Array", `[]`, jobflow.EINVALID, "", "JSON object"},
		{"String", `"wf_1"`, jobflow.EINVALID, "", "JSON object"},
		{"Null", `null`, jobflow.EINVALID, "workflowId", "workflowId is required"},
		{"WorkflowIDNumber", `{"workflowId":1854732390999683072,"token":"t"}`, jobflow.EINVALID, "workflowId", "workflowId must be a string"},
		{"TokenObject", `{"workflowId":"wf_1","token":{}}`, jobflow.EINVALID, "token", "token must be a string"},
		{"RequestIDNumber", `{"workflowId":"wf_1","token":"t","requestId":7}`, jobflow.EINVALID, "requestId", "requestId must be a string"},
		{"ParamsArray", `{"workflowId":"wf_1","token":"t","params":["a"]}`, jobflow.EINVALID, "params", "params must be an object"},
		{"ParamValueNumber", `{"workflowId":"wf_1","token":"t","params":{"a":1}}`, jobflow.EINVALID, "params", "params must be an object of string values"},
		{"MissingWorkflowID", `{"token":"t"}`, jobflow.EINVALID, "workflowId", "workflowId is required"},
		{"MissingToken", `{"workflowId":"wf_1"}`, jobflow.EINVALID, "token", "token is required"},
		{"EmptyToken", `{"workflowId":"wf_1","token":""}`, jobflow.EINVALID, "token", "token is required"},
		{"LongWorkflowID", `{"workflowId":"` + strings.Repeat("w", invoke.MaxWorkflowIDLen+1) + `","token":"t"}`, jobflow.EINVALID, "workflowId", "at most"},
		{"LongToken", `{"workflowId":"wf_1","token":"` + strings.Repeat("t", 8<<10+1) + `"}`, jobflow.EINVALID, "token", "at most"},
		{"TooManyParams", paramsBody(jobflow.MaxParams + 1), jobflow.EINVALID, "params", "at most 100 params"},
		{"BadParamName", `{"workflowId":"wf_1","token":"t","params":{"1abc":"v"}}`, jobflow.EINVALID, "params", `"1abc"`},
		{"ParamNameWithDot", `{"workflowId":"wf_1","token":"t","params":{"a.b":"v"}}`, jobflow.EINVALID, "params", `"a.b"`},
		{"LongParamValue", `{"workflowId":"wf_1","token":"t","params":{"a":"` + strings.Repeat("v", invoke.MaxParamValueLen+1) + `"}}`, jobflow.EINVALID, "params", "longer than 64 KiB"},
		{"RequestIDSpace", `{"workflowId":"wf_1","token":"t","requestId":"a b"}`, jobflow.EINVALID, "requestId", "letters, digits"},
		{"RequestIDSlash", `{"workflowId":"wf_1","token":"t","requestId":"a/b"}`, jobflow.EINVALID, "requestId", "letters, digits"},
		{"RequestIDUnicode", `{"workflowId":"wf_1","token":"t","requestId":"订单1"}`, jobflow.EINVALID, "requestId", "letters, digits"},
		{"RequestIDLong", `{"workflowId":"wf_1","token":"t","requestId":"` + strings.Repeat("r", invoke.MaxRequestIDLen+1) + `"}`, jobflow.EINVALID, "requestId", "at most 128"},
		{"OverOneMiB", `{"workflowId":"wf_1","token":"t","x":"` + strings.Repeat("x", invoke.MaxBodyBytes) + `"}`, jobflow.ETOOLARGE, "", "larger than"},
		{"OverOneMiBOfWhitespace", `{"workflowId":"wf_1","token":"t"}` + strings.Repeat(" ", invoke.MaxBodyBytes), jobflow.ETOOLARGE, "", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := invoke.DecodeRequest(strings.NewReader(tt.body))
			if err == nil {
				t.Fatalf("accepted: %+v", r)
			}
			if code := jobflow.ErrorCode(err); code != tt.code {
				t.Fatalf("code %s, want %s (%v)", code, tt.code, err)
			}
			if msg := jobflow.ErrorMessage(err); !strings.Contains(msg, tt.msg) {
				t.Fatalf("message %q, want it to contain %q", msg, tt.msg)
			}
			var field string
			if e, ok := err.(*jobflow.Error); ok {
				if d, ok := e.Details.(map[string]string); ok {
					field = d["field"]
				}
			}
			if field != tt.field {
				t.Fatalf("details field %q, want %q", field, tt.field)
			}
		})
	}
}

func TestRequestWorkflowID(t *testing.T) {
	a := invoke.RequestWorkflowID("wf_1", "order-42")
	if a != invoke.RequestWorkflowID("wf_1", "order-42") {
		t.Fatal("not deterministic")
	}
	if !strings.HasPrefix(a, jobflow.PrefixRun+"_") || len(a) != len(jobflow.NewID(jobflow.PrefixRun)) {
		t.Fatalf("%q does not look like a run id", a)
	}
	// Another request, another workflow, or a split moved between the two
	// parts gives another id.
	for _, other := range []string{
		invoke.RequestWorkflowID("wf_1", "order-43"),
		invoke.RequestWorkflowID("wf_2", "order-42"),
		invoke.RequestWorkflowID("wf_1o", "rder-42"),
	} {
		if other == a {
			t.Fatalf("collision: %q", a)
		}
	}
}
