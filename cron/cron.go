// Package cron parses 5-field Unix and 6/7-field Quartz cron expressions and
// computes their fire times in a time zone. (Stub: being written.)
package cron

import "errors"

// Expr is a parsed expression.
type Expr struct{}

// Parse parses expr.
func Parse(expr string) (*Expr, error) {
	if expr == "" {
		return nil, errors.New("empty expression")
	}
	return &Expr{}, nil
}
