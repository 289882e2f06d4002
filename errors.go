// Package jobflow holds the domain of the jobflow service: the types every
// other package speaks (tenants, users, workflows, jobs, canvases, runs,
// node runs, datasources) and the one error type with its codes. It imports
// nothing of the project, so that workflows/, activities/, store/ and
// httpapi/ can all depend on it without depending on each other.
package jobflow

import (
	"errors"
	"fmt"
)

// Error codes. httpapi maps each to one HTTP status, in one place.
const (
	EINVALID       = "INVALID"        // 400
	EUNAUTHORIZED  = "UNAUTHORIZED"   // 401
	EFORBIDDEN     = "FORBIDDEN"      // 403
	ELIMITEXCEEDED = "LIMIT_EXCEEDED" // 403
	ENOTFOUND      = "NOT_FOUND"      // 404
	ECONFLICT      = "CONFLICT"       // 409
	ETOOLARGE      = "TOO_LARGE"      // 413
	ETOOMANY       = "TOO_MANY_REQUESTS"
	EUNAVAILABLE   = "UNAVAILABLE" // 503
	EINTERNAL      = "INTERNAL"    // 500
)

// Error is the one application error. Message is safe to show to the caller;
// Details carries structured hints (a field name, the jobs of a cycle).
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("jobflow error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetails returns a copy of e carrying details.
func (e *Error) WithDetails(d any) *Error {
	c := *e
	c.Details = d
	return &c
}

// ErrorCode returns the code of an application error, EINTERNAL for any other
// non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of an application error; other errors are
// internal and their text is never shown.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
