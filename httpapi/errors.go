package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// statusOf is the one mapping from error codes to HTTP statuses.
var statusOf = map[string]int{
	jobflow.EINVALID:       http.StatusBadRequest,
	jobflow.EUNAUTHORIZED:  http.StatusUnauthorized,
	jobflow.EFORBIDDEN:     http.StatusForbidden,
	jobflow.ELIMITEXCEEDED: http.StatusForbidden,
	jobflow.ENOTFOUND:      http.StatusNotFound,
	jobflow.ECONFLICT:      http.StatusConflict,
	jobflow.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	jobflow.ETOOMANY:       http.StatusTooManyRequests,
	jobflow.EUNAVAILABLE:   http.StatusServiceUnavailable,
	jobflow.EINTERNAL:      http.StatusInternalServerError,
}

// errorBody is the error envelope (docs/api.md#errors).
type errorBody struct {
	Error *jobflow.Error `json:"error" required:"true"`
}

// handleError writes every error, ours and Echo's, in the envelope. Echo's
// own errors (no route, wrong method, a panic) are turned into domain errors
// first; anything unknown is INTERNAL and its text goes to the log only.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := 0
	var he *echo.HTTPError
	var e *jobflow.Error
	if errors.As(err, &he) && errors.As(he.Internal, &e) {
		err = he.Internal // a domain error wrapped by a middleware
	} else if errors.As(err, &he) {
		err, status = fromEcho(he)
	}
	switch {
	case errors.As(err, &e) && e.Code != jobflow.EINTERNAL:
	case e == nil && jobflow.IsUnavailable(err):
		// The store (or another dependency) is unreachable or busy: say so,
		// so that clients retry, instead of a 500. The cause goes to the log.
		s.log.Warn("dependency unavailable", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		e = jobflow.Errorf(jobflow.EUNAVAILABLE, "the service is temporarily unavailable (its database cannot be reached); try again shortly")
	default:
		s.log.Error("internal error", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		e = jobflow.Errorf(jobflow.EINTERNAL, "internal error")
	}
	if e.Code == jobflow.EUNAVAILABLE {
		c.Response().Header().Set("Retry-After", "2")
	}
	if status == 0 {
		status = statusOf[e.Code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
	}
	// The message in the caller's language (i18n.go); code and details as
	// they are. A copy: e may be a shared value such as errBadLogin.
	c.Response().Header().Add("Vary", "Accept-Language")
	if lang := preferredLang(c.Request()); lang != "en" {
		loc := *e
		loc.Message = localize(e.Message, lang)
		e = &loc
		c.Response().Header().Set("Content-Language", lang)
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, errorBody{Error: e})
	}
	if err != nil {
		s.log.Error("write error answer", "err", err)
	}
}

// fromEcho turns an Echo HTTP error into a domain error and the status to
// send. 405 keeps its status (with Echo's Allow header) under code INVALID,
// since the contract has no code of its own for it (docs/deviations.md).
func fromEcho(he *echo.HTTPError) (error, int) {
	switch he.Code {
	case http.StatusNotFound:
		return jobflow.Errorf(jobflow.ENOTFOUND, "no such route"), 0
	case http.StatusMethodNotAllowed:
		return jobflow.Errorf(jobflow.EINVALID, "method not allowed on this route"), http.StatusMethodNotAllowed
	case http.StatusRequestEntityTooLarge:
		return tooLarge(), 0
	case http.StatusUnauthorized:
		return jobflow.Errorf(jobflow.EUNAUTHORIZED, "authentication required"), 0
	case http.StatusForbidden:
		return jobflow.Errorf(jobflow.EFORBIDDEN, "forbidden"), 0
	case http.StatusTooManyRequests:
		return jobflow.Errorf(jobflow.ETOOMANY, "too many requests"), 0
	case http.StatusServiceUnavailable:
		return jobflow.Errorf(jobflow.EUNAVAILABLE, "service unavailable"), 0
	}
	if he.Code >= 400 && he.Code < 500 {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" {
			msg = m
		}
		return jobflow.Errorf(jobflow.EINVALID, "%s", msg), he.Code
	}
	if he.Internal != nil {
		return he.Internal, 0
	}
	return errors.New(he.Error()), 0
}

func tooLarge() *jobflow.Error { return tooLargeThan(maxBody) }

func tooLargeThan(limit int64) *jobflow.Error {
	return jobflow.Errorf(jobflow.ETOOLARGE, "request body is larger than %d bytes", limit)
}

func invalid(field, format string, args ...any) *jobflow.Error {
	return jobflow.Errorf(jobflow.EINVALID, format, args...).WithDetails(map[string]string{"field": field})
}

// decode reads the JSON body into v strictly: one JSON value, no unknown
// fields, types as declared. Each failure is a 400 naming the field, or a 413.
func decode(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// Trailing data after the value is a malformed body too.
		if _, err2 := dec.Token(); err2 != io.EOF {
			if tooBig(err2) {
				return tooLarge()
			}
			return jobflow.Errorf(jobflow.EINVALID, "request body must hold a single JSON value")
		}
		return nil
	}
	if tooBig(err) {
		return tooLarge()
	}
	if errors.Is(err, io.EOF) {
		return jobflow.Errorf(jobflow.EINVALID, "request body is required (JSON)")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return jobflow.Errorf(jobflow.EINVALID, "malformed JSON: unexpected end of body")
	}
	msg := jobflow.DescribeJSONError(err)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return invalid(te.Field, "%s", msg)
	}
	return jobflow.Errorf(jobflow.EINVALID, "%s", msg)
}

// decodeOptional is decode for routes whose body may be left out.
func decodeOptional(c echo.Context, v any) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	return decode(c, v)
}

func tooBig(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// queryInt parses an optional integer query parameter.
func queryInt(c echo.Context, name string) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, invalid(name, "%s must be an integer", name)
	}
	if n == 0 {
		// 0 would silently mean "default" to Normalize; as a query value it is out of range.
		return 0, invalid(name, "%s must be 1 or more", name)
	}
	return n, nil
}

// listParams reads page, pageSize and search, validated and defaulted.
func listParams(c echo.Context) (jobflow.ListParams, error) {
	var p jobflow.ListParams
	var err error
	if p.Page, err = queryInt(c, "page"); err != nil {
		return p, err
	}
	if p.PageSize, err = queryInt(c, "pageSize"); err != nil {
		return p, err
	}
	p.Search = c.QueryParam("search")
	if err := p.Normalize(); err != nil {
		var e *jobflow.Error
		if errors.As(err, &e) && e.Details == nil {
			field := "pageSize"
			if p.Page < 1 {
				field = "page"
			} else if len(p.Search) > 200 {
				field = "search"
			}
			return p, e.WithDetails(map[string]string{"field": field})
		}
		return p, err
	}
	return p, nil
}

// page builds a list answer; items is never null in JSON.
func page[T any](items []T, total int, p jobflow.ListParams) jobflow.List[T] {
	if items == nil {
		items = []T{}
	}
	return jobflow.List[T]{Items: items, Total: total, Page: p.Page, PageSize: p.PageSize}
}
