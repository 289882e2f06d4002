package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"jobflow/document"
)

// jobflow apply and jobflow export (docs/lifecycle.md#jobflow-apply-and-jobflow-export): Git-based delivery of
// workflows over the REST API. apply reads jobflow/v1 documents from files
// and directories and makes the tenant's workflows match them by name
// (POST /workflows/import, mode OVERWRITE, all or nothing); export writes
// the documents of named workflows. Both read JOBFLOW_URL, JOBFLOW_TOKEN
// (a login token or a personal API token) and JOBFLOW_TENANT.

// restClient calls the jobflow REST API.
type restClient struct {
	base, token, tenant string
	http                *http.Client
}

func newRESTClient(getenv func(string) string) (*restClient, error) {
	c := &restClient{base: strings.TrimRight(getenv("JOBFLOW_URL"), "/"), token: getenv("JOBFLOW_TOKEN"),
		tenant: getenv("JOBFLOW_TENANT"), http: &http.Client{Timeout: 2 * time.Minute}}
	if c.base == "" {
		c.base = "http://localhost:8080"
	}
	if _, err := url.ParseRequestURI(c.base); err != nil {
		return nil, &settingError{"JOBFLOW_URL", fmt.Sprintf("%q is not a URL", c.base)}
	}
	if c.token == "" {
		return nil, &settingError{"JOBFLOW_TOKEN", "is required: a login token or a personal API token (jf_pat_…)"}
	}
	if c.tenant == "" && !strings.HasPrefix(c.token, "jf_pat_") {
		return nil, &settingError{"JOBFLOW_TENANT", "is required with a login token (a personal API token names its tenant)"}
	}
	return c, nil
}

// apiError is the error envelope of the API.
type apiError struct {
	Status  int
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// do sends body as JSON and decodes a 2xx answer into out (raw bytes when
// out is *[]byte).
func (c *restClient) do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if c.tenant != "" {
		req.Header.Set("X-Tenant-ID", c.tenant)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach jobflow at %s: %w", c.base, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var env struct {
			Error *apiError `json:"error"`
		}
		if json.Unmarshal(b, &env) == nil && env.Error != nil {
			env.Error.Status = res.StatusCode
			return env.Error
		}
		return fmt.Errorf("%s %s: HTTP %d", method, path, res.StatusCode)
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = b
		return nil
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// importResult mirrors httpapi.ImportResult.
type importResult struct {
	Items []struct {
		Name       string         `json:"name"`
		Action     string         `json:"action"`
		WorkflowID string         `json:"workflowId"`
		Diff       *document.Diff `json:"diff"`
	} `json:"items"`
	Problems []document.Problem `json:"problems"`
	Warnings []string           `json:"warnings"`
}

// errProblems is returned after the problems were printed, one a line.
var errProblems = errors.New("nothing was applied")

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// runApply is `jobflow apply -f <file or dir>… [--dry-run] [--publish]`.
func runApply(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files multiFlag
	fs.Var(&files, "f", "a document file, or a directory of *.yaml, *.yml and *.json files (repeatable)")
	dryRun := fs.Bool("dry-run", false, "show what would change; change nothing")
	publish := fs.Bool("publish", false, "publish every workflow that was created or changed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(files) == 0 || fs.NArg() > 0 {
		return errors.New("usage: jobflow apply -f <file or dir> [-f …] [--dry-run] [--publish]")
	}
	docs, err := readDocuments(files)
	if err != nil {
		return err
	}
	c, err := newRESTClient(getenv)
	if err != nil {
		return err
	}
	// A dry run first: it reports every problem without changing anything.
	var plan importResult
	if err := c.do(ctx, "POST", "/api/v1/workflows/import", map[string]any{"document": docs, "mode": "OVERWRITE", "dryRun": true}, &plan); err != nil {
		return err
	}
	if len(plan.Problems) > 0 {
		for _, p := range plan.Problems {
			fmt.Fprintln(stderr, p.String())
		}
		return fmt.Errorf("%d problem(s): %w", len(plan.Problems), errProblems)
	}
	if *dryRun {
		printPlan(stdout, &plan, true)
		return nil
	}
	var done importResult
	if err := c.do(ctx, "POST", "/api/v1/workflows/import", map[string]any{"document": docs, "mode": "OVERWRITE"}, &done); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Details["problems"] != nil {
			b, _ := json.Marshal(ae.Details["problems"])
			var probs []document.Problem
			_ = json.Unmarshal(b, &probs)
			for _, p := range probs {
				fmt.Fprintln(stderr, p.String())
			}
		}
		return err
	}
	printPlan(stdout, &done, false)
	for _, w := range done.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	if *publish {
		failed := 0
		for _, it := range done.Items {
			if it.Action == "UNCHANGED" {
				continue
			}
			var out struct {
				Version struct {
					Number int `json:"number"`
				} `json:"version"`
			}
			err := c.do(ctx, "POST", "/api/v1/workflows/"+url.PathEscape(it.WorkflowID)+"/publish", map[string]string{"note": "jobflow apply"}, &out)
			if err != nil {
				fmt.Fprintf(stderr, "%s: publish: %v\n", it.Name, err)
				failed++
				continue
			}
			fmt.Fprintf(stdout, "published %s version %d\n", it.Name, out.Version.Number)
		}
		if failed > 0 {
			return fmt.Errorf("%d workflow(s) not published", failed)
		}
	}
	return nil
}

// printPlan writes a diff-like summary: one line per workflow, one per
// changed part under it.
func printPlan(w io.Writer, r *importResult, dry bool) {
	verb := map[string]string{"CREATE": "created", "OVERWRITE": "changed", "UNCHANGED": "unchanged"}
	if dry {
		verb = map[string]string{"CREATE": "would create", "OVERWRITE": "would change", "UNCHANGED": "unchanged"}
	}
	changed := 0
	for _, it := range r.Items {
		fmt.Fprintf(w, "%s %s\n", verb[it.Action], it.Name)
		if it.Action != "UNCHANGED" {
			changed++
		}
		d := it.Diff
		if d == nil || it.Action == "UNCHANGED" {
			continue
		}
		for _, j := range d.Jobs.Added {
			fmt.Fprintf(w, "  + job %s (%s)\n", j.Name, j.Type)
		}
		for _, j := range d.Jobs.Removed {
			fmt.Fprintf(w, "  - job %s\n", j.Name)
		}
		for _, j := range d.Jobs.Changed {
			paths := make([]string, len(j.Changes))
			for i, ch := range j.Changes {
				paths[i] = ch.Path
			}
			fmt.Fprintf(w, "  ~ job %s: %s\n", j.Name, strings.Join(paths, ", "))
		}
		for _, e := range d.Edges.Added {
			fmt.Fprintf(w, "  + edge %s -> %s\n", e.From, e.To)
		}
		for _, e := range d.Edges.Removed {
			fmt.Fprintf(w, "  - edge %s -> %s\n", e.From, e.To)
		}
		for _, ch := range d.Config {
			fmt.Fprintf(w, "  ~ config %s\n", ch.Path)
		}
	}
	fmt.Fprintf(w, "%d workflow(s), %d %s\n", len(r.Items), changed, map[bool]string{true: "to change", false: "changed"}[dry])
}

// readDocuments reads every document of the files and directories (a
// directory's *.yaml, *.yml and *.json files, in name order).
func readDocuments(paths []string) ([]*document.Document, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".yaml", ".yml", ".json":
				if !e.IsDir() {
					names = append(names, filepath.Join(p, e.Name()))
				}
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, fmt.Errorf("%s holds no *.yaml, *.yml or *.json file", p)
		}
		files = append(files, names...)
	}
	var docs []*document.Document
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ds, err := document.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		docs = append(docs, ds...)
	}
	return docs, nil
}

// runExport is `jobflow export [-format yaml|json] [-o file] <workflow name>…`
// (no name: every workflow of the tenant).
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "yaml", "yaml (one multi-document stream) or json (an array)")
	out := fs.String("o", "", "write to this file instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "yaml" && *format != "json" {
		return errors.New("-format must be yaml or json")
	}
	c, err := newRESTClient(getenv)
	if err != nil {
		return err
	}
	q := url.Values{"format": {*format}}
	for _, n := range fs.Args() {
		q.Add("name", n)
	}
	var b []byte
	if err := c.do(ctx, "GET", "/api/v1/workflows/export?"+q.Encode(), nil, &b); err != nil {
		return err
	}
	if *out != "" {
		return os.WriteFile(*out, b, 0o644)
	}
	_, err = stdout.Write(b)
	return err
}
