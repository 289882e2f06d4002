package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/document"
)

// Export, import and copy by name (docs/lifecycle.md#documents): documents are the
// jobflow/v1 Workflow documents of package document. An import resolves
// every name in the tenant, reports every problem at once, and writes all
// its workflows in one transaction; a dry run answers what would be
// created or changed, as a diff against the existing draft.

// names reads the id → name maps of the tenant's datasources, alarm
// channels and workflows.
func (s *Server) names(ctx context.Context, tenantID string) (document.Names, error) {
	n := document.Names{Datasources: map[string]string{}, Channels: map[string]string{}, Workflows: map[string]string{}}
	for p := 1; ; p++ {
		items, total, err := s.deps.Datasources.FindDatasources(ctx, tenantID, jobflow.ListParams{Page: p, PageSize: jobflow.MaxPageSize})
		if err != nil {
			return n, err
		}
		for _, d := range items {
			n.Datasources[d.ID] = d.Name
		}
		if p*jobflow.MaxPageSize >= total {
			break
		}
	}
	for p := 1; ; p++ {
		items, total, err := s.deps.Alarms.FindAlarmChannels(ctx, tenantID, jobflow.ListParams{Page: p, PageSize: jobflow.MaxPageSize})
		if err != nil {
			return n, err
		}
		for _, c := range items {
			n.Channels[c.ID] = c.Name
		}
		if p*jobflow.MaxPageSize >= total {
			break
		}
	}
	for p := 1; ; p++ {
		items, total, err := s.deps.Workflows.FindWorkflows(ctx, tenantID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Page: p, PageSize: jobflow.MaxPageSize}})
		if err != nil {
			return n, err
		}
		for _, w := range items {
			n.Workflows[w.ID] = w.Name
		}
		if p*jobflow.MaxPageSize >= total {
			break
		}
	}
	return n, nil
}

// exportFormat reads ?format=yaml|json (default yaml).
func exportFormat(c echo.Context) (string, error) {
	switch f := c.QueryParam("format"); f {
	case "", "yaml":
		return "yaml", nil
	case "json":
		return "json", nil
	default:
		return "", invalid("format", "format must be yaml or json")
	}
}

func writeDocs(c echo.Context, format string, docs []*document.Document, single bool) error {
	if format == "json" {
		if single {
			return c.JSON(http.StatusOK, docs[0])
		}
		return c.JSON(http.StatusOK, docs)
	}
	b, err := document.YAML(docs...)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/yaml", b)
}

func (s *Server) exportOne(ctx context.Context, w *jobflow.Workflow, names document.Names) (*document.Document, error) {
	d, err := document.FromWorkflow(w, names)
	if err != nil {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "the workflow %q cannot be exported: %v", w.Name, err)
	}
	return d, nil
}

// documentOf reads workflow id of the tenant and writes it as a document.
func (s *Server) documentOf(ctx context.Context, tenantID, id string) (*jobflow.Workflow, *document.Document, error) {
	w, err := s.deps.Workflows.FindWorkflowByID(ctx, tenantID, id)
	if err != nil {
		return nil, nil, err
	}
	names, err := s.names(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.exportOne(ctx, w, names)
	if err != nil {
		return nil, nil, err
	}
	return w, d, nil
}

// exportWorkflow is GET /workflows/{id}/export.
func (s *Server) exportWorkflow(c echo.Context) error {
	format, err := exportFormat(c)
	if err != nil {
		return err
	}
	_, d, err := s.documentOf(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	return writeDocs(c, format, []*document.Document{d}, true)
}

// exportWorkflows is GET /workflows/export?name=a&name=b: several
// workflows (every one of the tenant without name) in one multi-document
// YAML stream, or a JSON array.
func (s *Server) exportWorkflows(c echo.Context) error {
	format, err := exportFormat(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tid := actor(c).TenantID
	names, err := s.names(ctx, tid)
	if err != nil {
		return err
	}
	wanted := c.QueryParams()["name"]
	if len(wanted) == 0 {
		for _, n := range names.Workflows {
			wanted = append(wanted, n)
		}
		slices.Sort(wanted)
	}
	if len(wanted) > 1000 {
		return invalid("name", "at most 1000 workflows per export")
	}
	var docs []*document.Document
	for _, n := range wanted {
		w, err := s.deps.Imports.FindWorkflowByName(ctx, tid, n)
		if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
			return jobflow.Errorf(jobflow.ENOTFOUND, "no workflow named %q", n).WithDetails(map[string]string{"field": "name"})
		} else if err != nil {
			return err
		}
		d, err := s.exportOne(ctx, w, names)
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		if format == "json" {
			return c.JSON(http.StatusOK, []any{})
		}
		return c.Blob(http.StatusOK, "application/yaml", nil)
	}
	return writeDocs(c, format, docs, false)
}

// Import modes.
const (
	ModeCreate    = "CREATE"
	ModeOverwrite = "OVERWRITE"
)

type importInput struct {
	Document json.RawMessage  `json:"document" required:"true"` // YAML or JSON text, or a document object or array
	Mode     string           `json:"mode"`
	DryRun   bool             `json:"dryRun"`
	Map      document.Mapping `json:"map"`
}

// ImportItem is the outcome for one workflow of an import.
type ImportItem struct {
	Name       string         `json:"name"`
	Action     string         `json:"action"` // CREATE, OVERWRITE or UNCHANGED
	WorkflowID string         `json:"workflowId,omitempty"`
	Diff       *document.Diff `json:"diff"`
}

// ImportResult answers an import.
type ImportResult struct {
	DryRun   bool               `json:"dryRun"`
	Items    []ImportItem       `json:"items"`
	Problems []document.Problem `json:"problems"`
	Warnings []string           `json:"warnings"`
}

func parseImportDocument(raw json.RawMessage) ([]*document.Document, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, invalid("document", "document is required: a jobflow/v1 document as YAML or JSON text, or as an object")
	}
	text := []byte(raw)
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, invalid("document", "document: %v", err)
		}
		text = []byte(s)
	}
	docs, err := document.Parse(text)
	if err != nil {
		return nil, invalid("document", "document: %v", err)
	}
	if len(docs) > 100 {
		return nil, invalid("document", "at most 100 workflows per import")
	}
	return docs, nil
}

// importWorkflows is POST /workflows/import.
func (s *Server) importWorkflows(c echo.Context) error {
	var in importInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Mode == "" {
		in.Mode = ModeCreate
	}
	if in.Mode != ModeCreate && in.Mode != ModeOverwrite {
		return invalid("mode", "mode must be CREATE or OVERWRITE")
	}
	docs, err := parseImportDocument(in.Document)
	if err != nil {
		return err
	}
	res, items, err := s.planImport(c, docs, in.Mode, in.Map, nil)
	if err != nil {
		return err
	}
	res.DryRun = in.DryRun
	lang := preferredLang(c.Request())
	c.Response().Header().Add("Vary", "Accept-Language")
	if in.DryRun {
		return c.JSON(http.StatusOK, localizeResult(res, lang))
	}
	if len(res.Problems) > 0 {
		return importRefused(res.Problems, lang)
	}
	setAudit(c, auditObject{Name: importedNames(res)})
	if err := s.writeImport(c, res, items); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, localizeResult(res, lang))
}

// localizeResult is res with its problems and warnings in lang (i18n.go),
// as the console shows them to people; items and paths are unchanged.
func localizeResult(res *ImportResult, lang string) *ImportResult {
	out := *res
	out.Problems = localizeProblems(res.Problems, lang)
	out.Warnings = localizeAll(res.Warnings, lang)
	return &out
}

// importRefused is the 400 (or 409) of an import with problems; details
// hold them all, and details.field the first one's path. The problems'
// messages, in details and in the message, are in lang: they are what a
// person reads; handleError translates the message's own English prefix.
func importRefused(probs []document.Problem, lang string) error {
	conflict := true
	for _, p := range probs {
		conflict = conflict && strings.Contains(p.Message, "already exists")
	}
	probs = localizeProblems(probs, lang)
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = p.String()
	}
	code := jobflow.EINVALID
	if conflict {
		code = jobflow.ECONFLICT
	}
	return jobflow.Errorf(code, "the import has %d problem(s); nothing was changed: %s", len(probs), strings.Join(lines, "; ")).
		WithDetails(map[string]any{"problems": probs, "field": probs[0].Path})
}

// planImport resolves documents against the tenant: what each would do,
// the diff against the existing draft, the problems and the drafts to
// write. rename, when set, names the workflow of a single document (copy).
func (s *Server) planImport(c echo.Context, docs []*document.Document, mode string, m document.Mapping, rename *string) (*ImportResult, []*jobflow.DraftImport, error) {
	ctx := c.Request().Context()
	tid := actor(c).TenantID
	names, err := s.names(ctx, tid)
	if err != nil {
		return nil, nil, err
	}
	res := &ImportResult{Items: []ImportItem{}, Problems: []document.Problem{}, Warnings: []string{}}
	var drafts []*jobflow.DraftImport
	seen := map[string]bool{}
	for _, d := range docs {
		if rename != nil {
			d.Metadata.Name = *rename
		}
		draft, probs := d.Resolve(names, m)
		res.Problems = append(res.Problems, probs...)
		if draft == nil {
			continue
		}
		if seen[draft.Name] {
			res.Problems = append(res.Problems, document.Problem{Workflow: draft.Name, Path: "metadata.name", Message: "the import names this workflow twice"})
			continue
		}
		seen[draft.Name] = true
		existing, err := s.deps.Imports.FindWorkflowByName(ctx, tid, draft.Name)
		if err != nil && jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			return nil, nil, err
		}
		if existing != nil && mode == ModeCreate {
			res.Problems = append(res.Problems, document.Problem{Workflow: draft.Name, Path: "metadata.name",
				Message: "a workflow with this name already exists (import with mode OVERWRITE to replace its draft)"})
			continue
		}
		item, di := planOne(draft, existing, res)
		res.Items = append(res.Items, item)
		if di != nil {
			drafts = append(drafts, di)
		}
	}
	return res, drafts, nil
}

// planOne assigns job ids (kept for jobs matched by name in the existing
// draft) and diffs against that draft.
func planOne(draft *document.Draft, existing *jobflow.Workflow, res *ImportResult) (ImportItem, *jobflow.DraftImport) {
	old := map[string]*jobflow.Job{}
	var before document.Side
	if existing != nil {
		for _, j := range existing.Jobs {
			old[j.Name] = j
		}
		before = document.Side{Canvas: existing.Canvas, Config: existing.Config}
		for _, j := range existing.Jobs {
			before.Jobs = append(before.Jobs, *j)
		}
	}
	idOf := map[string]string{}
	for _, j := range draft.Jobs {
		if o := old[j.Name]; o != nil {
			j.ID = o.ID
			keepSecrets(j, o)
		} else {
			j.ID = jobflow.NewID(jobflow.PrefixJob)
		}
		if strings.Contains(string(j.Config), document.Redacted) {
			res.Warnings = append(res.Warnings, draft.Name+": job "+j.Name+": a secret value was not in the document (******): set it after the import")
		}
		idOf[j.Name] = j.ID
	}
	draft.ResolveJobRefs(idOf)
	canvas := draft.Canvas(idOf)
	// What the store's check (jobflow.CheckDraft) would refuse on write is
	// a problem of the plan already; the tenant's ids it checks in its
	// transaction. A document with problems of its own is not checked
	// further: its jobs and edges are already known to be wrong, and a
	// second message about the same fault would only confuse.
	if !hasProblems(res, draft.Name) {
		if err := jobflow.CheckShape(&jobflow.Workflow{Name: draft.Name, Canvas: canvas, Config: draft.Config, Jobs: draft.Jobs}); err != nil {
			res.Problems = append(res.Problems, document.Problem{Workflow: draft.Name, Path: "spec", Message: jobflow.ErrorMessage(err)})
		}
	}
	after := document.Side{Canvas: canvas, Config: draft.Config}
	for _, j := range draft.Jobs {
		after.Jobs = append(after.Jobs, *j)
	}
	from := "none"
	if existing != nil {
		from = "draft"
	}
	diff := document.Compare(from, before, "document", after, document.ByName)
	item := ImportItem{Name: draft.Name, Action: ModeCreate, Diff: diff}
	di := &jobflow.DraftImport{Name: draft.Name, Remark: draft.Remark, Jobs: draft.Jobs, Canvas: canvas, Config: draft.Config}
	if existing != nil {
		item.Action, item.WorkflowID, di.WorkflowID = ModeOverwrite, existing.ID, existing.ID
		if diff.Identical && existing.Remark == draft.Remark {
			item.Action = "UNCHANGED"
			return item, nil
		}
	}
	return item, di
}

// keepSecrets puts the existing job's secret header and env values back
// where the document has the export's ****** placeholder.
func keepSecrets(j, old *jobflow.Job) {
	var cfg, prev map[string]any
	if json.Unmarshal(j.Config, &cfg) != nil || json.Unmarshal(old.Config, &prev) != nil {
		return
	}
	changed := false
	for _, k := range []string{"headers", "env"} {
		m, _ := cfg[k].(map[string]any)
		pm, _ := prev[k].(map[string]any)
		for name, v := range m {
			if v == document.Redacted && pm[name] != nil {
				m[name] = pm[name]
				changed = true
			}
		}
	}
	if changed {
		j.Config, _ = json.Marshal(cfg)
	}
}

// writeImport writes the planned drafts in one transaction, under the
// workflow limit.
func (s *Server) writeImport(c echo.Context, res *ImportResult, items []*jobflow.DraftImport) error {
	if len(items) == 0 {
		return nil
	}
	ctx := c.Request().Context()
	a := actor(c)
	lic, err := s.license(ctx)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.WorkflowID == "" {
			if err := lic.allowCreate(); err != nil {
				return err
			}
		}
	}
	ws, err := s.deps.Imports.ImportDrafts(ctx, a.TenantID, items, lic.perTenant(), a.UserID)
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, w := range ws {
		byName[w.Name] = w.ID
	}
	for i := range res.Items {
		if id := byName[res.Items[i].Name]; id != "" {
			res.Items[i].WorkflowID = id
		}
	}
	return nil
}

type copyInput struct {
	Name string `json:"name" required:"true"`
}

// copyWorkflow is POST /workflows/{id}/copy {name}: a DRAFT with the same
// jobs (new ids), canvas and config.
func (s *Server) copyWorkflow(c echo.Context) error {
	var in copyInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := jobflow.ValidateName("name", in.Name); err != nil {
		return err
	}
	ctx := c.Request().Context()
	w, d, err := s.documentOf(ctx, actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	// Secrets the export redacted are copied from the source jobs.
	res, items, err := s.planImport(c, []*document.Document{d}, ModeCreate, document.Mapping{}, &in.Name)
	if err != nil {
		return err
	}
	if len(res.Problems) > 0 {
		return importRefused(res.Problems, preferredLang(c.Request()))
	}
	for _, it := range items {
		src := map[string]*jobflow.Job{}
		for _, j := range w.Jobs {
			src[j.Name] = j
		}
		for _, j := range it.Jobs {
			if o := src[j.Name]; o != nil {
				keepSecrets(j, o)
			}
		}
	}
	if err := s.writeImport(c, res, items); err != nil {
		return err
	}
	cp, err := s.deps.Workflows.FindWorkflowByID(ctx, actor(c).TenantID, res.Items[0].WorkflowID)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{ID: cp.ID, Name: cp.Name})
	return c.JSON(http.StatusCreated, viewWorkflow(cp))
}

// importedNames names an import's workflows for its audit row.
func importedNames(res *ImportResult) string {
	names := make([]string, len(res.Items))
	for i, it := range res.Items {
		names[i] = it.Name
	}
	return strings.Join(names, ", ")
}

// hasProblems says whether the plan already refuses workflow name.
func hasProblems(res *ImportResult, name string) bool {
	for _, p := range res.Problems {
		if p.Workflow == name {
			return true
		}
	}
	return false
}
