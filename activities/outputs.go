package activities

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	"jobflow"
	"jobflow/jobtypes"
)

// How SHELL and PYTHON jobs set outputs (docs/run-semantics.md#outputs):
//
//   - a line of output holding ${setValue(name=value)} (DolphinScheduler's
//     form; the line stays in the log), several per line allowed;
//   - the file named by $JOBFLOW_OUTPUT: name=value lines, or one JSON
//     object whose values are strings (kept as is) or anything else (kept
//     as JSON text).
//
// The file wins over setValue lines for the same name.

// outputFileName is the $JOBFLOW_OUTPUT file in the job's working directory.
const outputFileName = "jobflow-output"

const setValuePrefix = "${setValue("

// maxScannedLine bounds a line the setValue scanner holds; a longer line is
// not scanned (its setValue could not fit in the outputs anyway).
const maxScannedLine = jobflow.MaxOutputBytes + 1024

// setValueScanner watches a job's output for ${setValue(k=v)} lines.
type setValueScanner struct {
	mu      sync.Mutex
	line    []byte
	skip    bool // the current line is too long: drop it
	lost    bool // a setValue line too long to keep
	names   []string
	outputs map[string]string
}

func (s *setValueScanner) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if !s.skip {
			if len(s.line)+len(chunk) > maxScannedLine {
				s.skip = true
				s.lost = s.lost || bytes.Contains(append(s.line, chunk...), []byte(setValuePrefix))
				s.line = s.line[:0]
			} else {
				s.line = append(s.line, chunk...)
			}
		}
		if i < 0 {
			break
		}
		if !s.skip {
			s.scan(string(s.line))
		}
		s.line, s.skip = s.line[:0], false
		p = p[i+1:]
	}
	return n, nil
}

func (s *setValueScanner) scan(line string) {
	for {
		i := strings.Index(line, setValuePrefix)
		if i < 0 {
			return
		}
		line = line[i+len(setValuePrefix):]
		end := strings.Index(line, ")}")
		if end < 0 {
			return
		}
		name, value, ok := strings.Cut(line[:end], "=")
		name = strings.TrimSpace(name)
		if ok && name != "" {
			if s.outputs == nil {
				s.outputs = map[string]string{}
			}
			s.outputs[name] = value
		}
		line = line[end+2:]
	}
}

// result returns the outputs seen, after the job ended (a last line
// without newline counts).
func (s *setValueScanner) result() (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.skip && len(s.line) > 0 {
		s.scan(string(s.line))
		s.line = s.line[:0]
	}
	if s.lost {
		return nil, failf("a ${setValue(…)} line is longer than the %d bytes outputs may hold", jobflow.MaxOutputBytes)
	}
	return s.outputs, nil
}

// readOutputFile reads the $JOBFLOW_OUTPUT file after the job ended. The
// job owns its directory and may have replaced the file: it is opened
// without following a symlink and without blocking on a FIFO, and must be
// a regular file of the job's user, so a job cannot make the worker read
// another file into its outputs.
func readOutputFile(path string, u osUser) (map[string]string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if os.IsNotExist(err) {
		return nil, nil // removed by the job: no outputs from it
	} else if err != nil {
		return nil, failf("$JOBFLOW_OUTPUT: cannot be opened (%v); it must stay a regular file", errnoText(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, failf("$JOBFLOW_OUTPUT: %v", err)
	}
	sys, _ := st.Sys().(*syscall.Stat_t)
	if !st.Mode().IsRegular() || (u.uid >= 0 && (sys == nil || int(sys.Uid) != u.uid)) {
		return nil, failf("$JOBFLOW_OUTPUT must stay a regular file of the job's user")
	}
	data, err := io.ReadAll(io.LimitReader(f, 2*jobflow.MaxOutputBytes+1))
	if err != nil {
		return nil, failf("$JOBFLOW_OUTPUT: %v", err)
	}
	if len(data) > 2*jobflow.MaxOutputBytes {
		return nil, failf("$JOBFLOW_OUTPUT is larger than the %d bytes outputs may hold", jobflow.MaxOutputBytes)
	}
	return parseOutputFile(data)
}

// parseOutputFile reads name=value lines or one JSON object.
func parseOutputFile(data []byte) (map[string]string, error) {
	text := strings.TrimSpace(string(data))
	if text == "" {
		return nil, nil
	}
	if strings.HasPrefix(text, "{") {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &m); err != nil {
			return nil, failf("$JOBFLOW_OUTPUT holds no valid JSON object: %v", err)
		}
		out := make(map[string]string, len(m))
		for k, raw := range m {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				out[k] = s
			} else {
				out[k] = string(raw)
			}
		}
		return out, nil
	}
	out := map[string]string{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, failf("$JOBFLOW_OUTPUT line %d is not name=value: %q", n+1, jobtypes.Abbreviate(line, 80))
		}
		out[strings.TrimSpace(name)] = value
	}
	return out, nil
}

// mergeOutputs lays b over a.
func mergeOutputs(a, b map[string]string) map[string]string {
	if len(b) == 0 {
		return a
	}
	if a == nil {
		a = make(map[string]string, len(b))
	}
	for k, v := range b {
		a[k] = v
	}
	return a
}

func errnoText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return fmt.Sprint(err)
}
