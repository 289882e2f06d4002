package invoke_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"jobflow/invoke"
)

// The command of the original product's page (seed/000_27ffbf7d2b45fc7c.txt),
// byte for byte: what Curl must print for the same URL, id and token.
const seedToken = "eyJhbGciOiJIUzI1NiJ9.eyJDTEFJTSI6IjFyWUxkVitHTlo0cGZINVNReURqQXI3b2QyM3A3TTNOUmpjVmcwZ3RJSXVtMmhYaElESGdjbEpGQ2hJOHJyOTg1Tnl6bk90OVgwWnFsWGY5MUp5ZUJucHE0VXd6NDEvTDNENlZlYW5aRitOdGxidkZMRUdNL0Q3N1prdHZ3dVdCV2twd0pMWS8rQXFzNS9YbU5rakNIMlRObmN6VmY0VG5jc3MrUWtlekk5WmtuRTlpUEthZGRPTDEyY0haTFVEOSIsImlhdCI6MTczNDY3ODE2NSwianRpIjoiNjRiY2QwNWMtNzFiNi00YjIwLWJjMTctOWNmNzRjMzE5NzAyIiwiZXhwIjoxNzY2MjE0MTY1fQ.VFw_L-sNOgg6_OkMR2dFbAkGUZ7-IEmalAB5MM-HXAI"

const seedCurl = `curl -s 'http://zhiqingyun-demo.isxcode.com/workflow/open/invokeWorkflow' \
   -H 'Content-Type: application/json;charset=UTF-8' \
   -H 'Accept: application/json, text/plain, */*' \
   --data-raw '{"workflowId":"sy_1854732390999683072","token":"` + seedToken + `"}'`

func TestCurl_SeedShape(t *testing.T) {
	for _, base := range []string{"http://zhiqingyun-demo.isxcode.com", "http://zhiqingyun-demo.isxcode.com/", "http://zhiqingyun-demo.isxcode.com//"} {
		if got := invoke.Curl(base, "sy_1854732390999683072", seedToken); got != seedCurl {
			t.Fatalf("Curl(%q) =\n%s\nwant\n%s", base, got, seedCurl)
		}
	}
}

func TestCurl_PathPrefix(t *testing.T) {
	got := invoke.Curl("https://example.com/jobflow/", "wf_1", "t")
	want := `curl -s 'https://example.com/jobflow/workflow/open/invokeWorkflow' \
   -H 'Content-Type: application/json;charset=UTF-8' \
   -H 'Accept: application/json, text/plain, */*' \
   --data-raw '{"workflowId":"wf_1","token":"t"}'`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestCurl_RunsInBash pastes the printed command into a real bash with
// the real curl, against a local server, including values holding quotes
// and shell metacharacters: what arrives must be exactly what was encoded.
func TestCurl_RunsInBash(t *testing.T) {
	type seen struct {
		path, contentType, accept string
		body                      map[string]string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]string
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("body %q: %v", b, err)
		}
		got <- seen{r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Accept"), body}
		w.Write([]byte(`{"runId":"run_x"}`))
	}))
	defer srv.Close()

	marker := filepath.Join(t.TempDir(), "pwned")
	workflowID := "wf_'; touch " + marker + "; echo '$(id)`id`"
	token := `a'b"c\d $HOME !x`
	out, err := exec.Command("bash", "-c", invoke.Curl(srv.URL+"/", workflowID, token)).CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v: %s", err, out)
	}
	if string(out) != `{"runId":"run_x"}` {
		t.Fatalf("curl printed %q", out)
	}
	s := <-got
	if s.path != invoke.Path || s.contentType != "application/json;charset=UTF-8" || s.accept != "application/json, text/plain, */*" {
		t.Fatalf("request %+v", s)
	}
	if s.body["workflowId"] != workflowID || s.body["token"] != token || len(s.body) != 2 {
		t.Fatalf("body %q", s.body)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Fatalf("the workflow id escaped its quotes and ran a command (%v)", err)
	}
}
