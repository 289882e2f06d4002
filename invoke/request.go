package invoke

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"

	"jobflow"
)

// Limits of an invoke request body.
const (
	MaxBodyBytes      = 1 << 20 // docs/api.md#errors: bodies over 1 MiB are 413
	MaxWorkflowIDLen  = 128
	MaxRequestIDLen   = 128
	MaxParamValueLen  = 64 << 10 // as jobflow.MergeParams
	maxTokenFieldSize = 8 << 10  // longer is 400; up to it Verify decides (401)
)

// Request is the body of POST /workflow/open/invokeWorkflow:
// {"workflowId","token","params":{…},"requestId":"…"}.
type Request struct {
	WorkflowID string            `json:"workflowId"`
	Token      string            `json:"token"`
	Params     map[string]string `json:"params"`
	RequestID  string            `json:"requestId"` // optional idempotency key
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)

// errTooLarge marks a body that went past MaxBodyBytes.
var errTooLarge = errors.New("body too large")

// DecodeRequest reads and checks an invoke body. Unknown fields are ignored,
// because third parties built against the original product may send more
// than we read; a known field of the wrong type is a 400 naming it. A body
// over MaxBodyBytes is 413 TOO_LARGE, whatever limit the server already set.
func DecodeRequest(r io.Reader) (*Request, error) {
	dec := json.NewDecoder(&limitedReader{r: r, left: MaxBodyBytes})
	var req Request
	if err := dec.Decode(&req); err != nil {
		return nil, decodeError(err)
	}
	// One JSON value only: `{…}{…}` or `{…} x` is a malformed body.
	if _, err := dec.Token(); err != io.EOF {
		if errors.Is(err, errTooLarge) {
			return nil, decodeError(err)
		}
		return nil, jobflow.Errorf(jobflow.EINVALID, "request body must be a single JSON object")
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &req, nil
}

// Validate checks the fields of a decoded request.
func (r *Request) Validate() error {
	switch {
	case r.WorkflowID == "":
		return invalidField("workflowId", "workflowId is required")
	case len(r.WorkflowID) > MaxWorkflowIDLen:
		return invalidField("workflowId", "workflowId must be at most %d characters", MaxWorkflowIDLen)
	case r.Token == "":
		return invalidField("token", "token is required")
	case len(r.Token) > maxTokenFieldSize:
		return invalidField("token", "token must be at most %d characters", maxTokenFieldSize)
	case len(r.RequestID) > MaxRequestIDLen:
		return invalidField("requestId", "requestId must be at most %d characters", MaxRequestIDLen)
	case r.RequestID != "" && !requestIDRE.MatchString(r.RequestID):
		return invalidField("requestId", "requestId may hold only letters, digits and . _ : -")
	case len(r.Params) > jobflow.MaxParams:
		return invalidField("params", "at most %d params", jobflow.MaxParams)
	}
	for k, v := range r.Params {
		if !jobflow.ValidParamName(k) {
			return invalidField("params", "param name %q must be letters, digits and '_' (at most 64, not starting with a digit)", k)
		}
		if len(v) > MaxParamValueLen {
			return invalidField("params", "param %q is longer than 64 KiB", k)
		}
	}
	return nil
}

// decodeError turns a json error into a 400 (or 413) the caller can act on.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.Is(err, errTooLarge):
		return jobflow.Errorf(jobflow.ETOOLARGE, "request body is larger than %d bytes", MaxBodyBytes)
	case errors.As(err, &te) && te.Field != "":
		field, _, _ := strings.Cut(te.Field, ".")
		want := "a string"
		if field == "params" {
			want = "an object of string values"
		}
		return invalidField(field, "%s must be %s", field, want)
	case errors.As(err, &te):
		return jobflow.Errorf(jobflow.EINVALID, "request body must be a JSON object")
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return jobflow.Errorf(jobflow.EINVALID, "request body is not valid JSON")
	case errors.Is(err, io.EOF):
		return jobflow.Errorf(jobflow.EINVALID, "request body is empty: send a JSON object")
	}
	return jobflow.Errorf(jobflow.EINVALID, "request body could not be read")
}

func invalidField(field, format string, args ...any) error {
	return jobflow.Errorf(jobflow.EINVALID, format, args...).WithDetails(map[string]string{"field": field})
}

// limitedReader fails with errTooLarge once more than left bytes are read,
// so an oversized body is told apart from a truncated one.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

var runIDEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// RequestWorkflowID maps an invoke with a requestId onto a fixed id, the
// same for every repeat of that requestId on that workflow. Starting the
// run under it as both run id and Temporal workflow id (docs/contract.md#temporal-mapping: invoke
// runs have workflow id = run id) with the engine's REJECT_DUPLICATE /
// conflict-FAIL policies makes a repeat fail with "already started", and
// the engine answers the same runId: no read-then-write race, 50 concurrent
// repeats start one run. Temporal forgets closed ids after the namespace's
// retention; the run row in the store (same id, primary key) still refuses
// a second insert, so the engine should treat that conflict the same way.
//
// The id looks like any run id ("run_" + 20 base32 chars, 96 bits of
// sha256 over workflow id and requestId). Without a requestId the caller
// makes a fresh id (jobflow.NewID(jobflow.PrefixRun)).
func RequestWorkflowID(workflowID, requestID string) string {
	// NUL cannot occur in either id, so the pair is encoded unambiguously.
	sum := sha256.Sum256([]byte("jobflow-invoke\x00" + workflowID + "\x00" + requestID))
	return jobflow.PrefixRun + "_" + runIDEncoding.EncodeToString(sum[:12])
}
