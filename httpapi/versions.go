package httpapi

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/document"
)

// Version history (docs/lifecycle.md#versions): every publish stored an immutable
// version; these routes list them, show one, diff any two (or one and the
// draft), and restore one into the draft. Rolling back is restore then
// publish, so version numbers only ever rise.

func (s *Server) listVersions(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	items, total, err := s.deps.Versions.FindVersions(c.Request().Context(), actor(c).TenantID, c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(nonNil(items), total, p))
}

// versionNumber parses a version number from the path or a query value.
func versionNumber(field, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, invalid(field, "%s must be a version number (1, 2, …)", field)
	}
	return n, nil
}

func (s *Server) getVersion(c echo.Context) error {
	n, err := versionNumber("n", c.Param("n"))
	if err != nil {
		return err
	}
	v, err := s.deps.Versions.FindVersionByNumber(c.Request().Context(), actor(c).TenantID, c.Param("id"), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// side reads "draft" or a version number as one side of a diff.
func (s *Server) side(c echo.Context, field, v string, w *jobflow.Workflow) (document.Side, error) {
	if v == "draft" {
		return DraftSide(w), nil
	}
	n, err := versionNumber(field, v)
	if err != nil {
		return document.Side{}, invalid(field, "%s must be a version number or draft", field)
	}
	ver, err := s.deps.Versions.FindVersionByNumber(c.Request().Context(), w.TenantID, w.ID, n)
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return document.Side{}, jobflow.Errorf(jobflow.ENOTFOUND, "the workflow has no version %d", n).
			WithDetails(map[string]string{"field": field})
	} else if err != nil {
		return document.Side{}, err
	}
	return document.Side{Jobs: ver.Snapshot.Jobs, Canvas: ver.Snapshot.Canvas, Config: ver.Snapshot.Config}, nil
}

// DraftSide is the draft as a publish would snapshot it: the jobs on the
// canvas, the canvas and the config.
func DraftSide(w *jobflow.Workflow) document.Side {
	sd := document.Side{Canvas: w.Canvas, Config: w.Config}
	for _, j := range w.Jobs {
		if w.Canvas.Has(j.ID) {
			sd.Jobs = append(sd.Jobs, *j)
		}
	}
	return sd
}

// diffVersions is GET …/versions/diff?from=<n|draft>&to=<n|draft>; to
// defaults to the draft.
func (s *Server) diffVersions(c echo.Context) error {
	from, to := c.QueryParam("from"), c.QueryParam("to")
	if from == "" {
		return invalid("from", "from is required: a version number or draft")
	}
	if to == "" {
		to = "draft"
	}
	w, err := s.deps.Workflows.FindWorkflowByID(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	a, err := s.side(c, "from", from, w)
	if err != nil {
		return err
	}
	b, err := s.side(c, "to", to, w)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, document.Compare(from, a, to, b, document.ByID))
}

type restoreInput struct {
	Revision int64 `json:"revision"` // optional optimistic lock on the draft
}

func (s *Server) restoreVersion(c echo.Context) error {
	var in restoreInput
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	n, err := versionNumber("n", c.Param("n"))
	if err != nil {
		return err
	}
	if in.Revision < 0 {
		return invalid("revision", "revision must be the draft's current revision")
	}
	a := actor(c)
	w, err := s.deps.Versions.RestoreVersion(c.Request().Context(), a.TenantID, c.Param("id"), n, in.Revision, a.UserID)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: w.Name, Version: n})
	return c.JSON(http.StatusOK, viewWorkflow(w))
}

type publishInput struct {
	Note string `json:"note"`
}

// publishNote reads the optional {note} of a publish.
func publishNote(c echo.Context) (string, error) {
	var in publishInput
	if err := decodeOptional(c, &in); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(in.Note) > jobflow.MaxNoteLength {
		return "", invalid("note", "note must be at most %d characters", jobflow.MaxNoteLength)
	}
	return in.Note, nil
}
