package vars

import (
	"strings"
	"testing"
	"time"
)

func scopeForTest() Scope {
	return Scope{
		Params:  map[string]string{"mode": "full", "shared": "from-params"},
		Globals: map[string]string{"region": "eu", "shared": "from-globals"},
		Secrets: map[string]string{"TOKEN": "s3cr3t"},
		Upstream: []Upstream{
			{ID: "job_a", Name: "extract", Outputs: map[string]string{"id": "42", "body": `{"a":{"b":[7,"x"]},"s":"t"}`, "word": "hello"}},
			{ID: "job_b", Name: "load.v2", Outputs: map[string]string{"rows": "3"}},
			{ID: "job_c", Name: "load", Outputs: map[string]string{"v2": "wrong"}},
		},
	}
}

// TestResolveScope checks the forms of docs/run-semantics.md#outputs one by one.
func TestResolveScope(t *testing.T) {
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	tests := []struct{ name, text, want string }{
		{"Output", "id=${outputs.extract.id}", "id=42"},
		{"OutputJSONPath", "${outputs.extract.body.json('$.a.b[0]')}", "7"},
		{"OutputJSONPathString", "${outputs.extract.body.json('$.a.b[1]')}", "x"},
		{"OutputJSONPathBracket", "${outputs.extract.body.json('$[\"s\"]')}", "t"},
		{"WholeOutputsPath", "${outputs.extract.json('$.body.a.b[-1]')}", "x"},
		{"WholeOutputsNumber", "${outputs.extract.json('$.id')}", "42"},
		{"DottedJobNameLongestWins", "${outputs.load.v2.rows}", "3"},
		{"ResultData", "${qing.job_b.result_data}", `{"rows":3}`},
		{"GetJSONValue", "v=#[[get_json_value('${qing.job_a.result_data}','$.body.a.b[0]')]];", "v=7;"},
		{"Global", "${global.region}", "eu"},
		{"ParamBeatsGlobal", "${global.shared}/${params.shared}", "from-params/from-params"},
		{"ParamFallsBackToGlobal", "${params.region}", "eu"},
		{"Secret", "token=${{ secret.TOKEN }}", "token=s3cr3t"},
		{"SecretNoSpaces", "${{secret.TOKEN}}", "s3cr3t"},
		{"OtherDoubleBraceLeft", "${{ github.sha }}", "${{ github.sha }}"},
		{"HashLeft", "# comment #[[x]]", "# comment #[[x]]"},
		{"ShellLeft", "${HOME} ${outputs_dir:-x}", "${HOME} ${outputs_dir:-x}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveScope(tt.text, at, time.UTC, scopeForTest())
			if err != nil {
				t.Fatalf("ResolveScope(%q): %v", tt.text, err)
			}
			if got != tt.want {
				t.Fatalf("ResolveScope(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestResolveScope_Errors: a missing job, key, secret or path fails naming it.
func TestResolveScope_Errors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"${outputs.nosuch.id}", `job "nosuch" is not an upstream job`},
		{"${outputs.extract.nokey}", `job "extract" has no output "nokey"`},
		{"${outputs.extract.word.json('$.a')}", "not JSON"},
		{"${outputs.extract.body.json('$.a.zz')}", `no key "zz"`},
		{"${outputs.extract.body.json('$.a.b[5]')}", "out of range"},
		{"${outputs.extract}", "names no output key"},
		{"${outputs.extract.id", "missing }"},
		{"${{ secret.NOPE }}", "unknown secret NOPE"},
		{"${global.nope}", "unknown variable ${global.nope}"},
		{"${qing.job_z.result_data}", "job job_z is not an upstream job"},
		{"#[[get_json_value('x')]]", "malformed"},
	}
	for _, tt := range tests {
		_, err := ResolveScope(tt.text, time.Now(), time.UTC, scopeForTest())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ResolveScope(%q) error = %v, want it to contain %q", tt.text, err, tt.want)
		}
	}
}

// TestRefs lists the jobs a text names, as save-time validation needs.
func TestRefs(t *testing.T) {
	names := map[string]bool{"extract": true, "load.v2": true, "load": true}
	text := `echo ${outputs.extract.id} ${outputs.load.v2.rows} ${outputs.extract.json('$.a}')} ${qing.job_9.result_data} ${qing.current_date} ${HOME}`
	refs, err := Refs(text, func(n string) bool { return names[n] })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, r.Job+"|"+r.Key+"|"+r.Path)
	}
	want := "extract|id| load.v2|rows| extract||$.a} job_9||"
	if strings.Join(got, " ") != want {
		t.Fatalf("refs = %q, want %q", strings.Join(got, " "), want)
	}
	if _, err := Refs("${outputs.x", func(string) bool { return false }); err == nil {
		t.Fatal("an unterminated reference must be an error")
	}
}

// TestJSONPath_NotAPath: a path must start at $.
func TestJSONPath_NotAPath(t *testing.T) {
	if _, err := JSONPath(`{"a":1}`, "a"); err == nil {
		t.Fatal("want an error for a path without $")
	}
	if v, err := JSONPath(`{"a":{"b":null}}`, "$.a"); err != nil || v != `{"b":null}` {
		t.Fatalf("got %q, %v", v, err)
	}
}
