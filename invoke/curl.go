package invoke

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Path is the invoke endpoint. Third parties already call this path of the
// original product, so it lives outside /api/v1 and never changes.
const Path = "/workflow/open/invokeWorkflow"

// Curl returns the ready-to-paste command shown when a token is created, in
// the exact shape of the original product's page (same path, headers and
// body fields), so scripts written against it keep working:
//
//	curl -s 'http://host/workflow/open/invokeWorkflow' \
//	   -H 'Content-Type: application/json;charset=UTF-8' \
//	   -H 'Accept: application/json, text/plain, */*' \
//	   --data-raw '{"workflowId":"…","token":"…"}'
//
// publicURL is JOBFLOW_PUBLIC_URL; a trailing slash and a path prefix (for a
// reverse proxy) are handled. Every argument is single-quoted for POSIX
// shells, so no value can break out of its quotes.
func Curl(publicURL, workflowID, token string) string {
	url := strings.TrimRight(publicURL, "/") + Path
	body := struct {
		WorkflowID string `json:"workflowId"`
		Token      string `json:"token"`
	}{workflowID, token}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the command readable; the JSON is valid either way
	_ = enc.Encode(body)     // two strings cannot fail to encode
	data := strings.TrimSuffix(buf.String(), "\n")
	return "curl -s " + shellQuote(url) + " \\\n" +
		"   -H " + shellQuote("Content-Type: application/json;charset=UTF-8") + " \\\n" +
		"   -H " + shellQuote("Accept: application/json, text/plain, */*") + " \\\n" +
		"   --data-raw " + shellQuote(data)
}

// shellQuote wraps s in single quotes. Inside them the shell reads every
// byte literally except the single quote itself, which is written as: close
// the quotes, a backslash-escaped quote, reopen the quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
