package temporalserver

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// slogLogger forwards the Temporal server's logs to slog, dropping everything
// below min. The server logs several hundred lines at info level while it
// starts; at warn level jobflow's own lines stay readable. While the server
// starts, floor drops warnings too (its services dial each other before all
// of them listen), and while it stops, errors too (every long poll ends with
// "context canceled"): expected, and nothing an operator can act on.
type slogLogger struct {
	l     *slog.Logger
	min   slog.Level
	floor *atomic.Int64 // a slog.Level; records below it are dropped
	// with are the tags of With, turned into attributes only when a record
	// is logged: the server's task executors call With for every task, and
	// most of those loggers never log (docs/benchmarks.md#where-a-run-costs-more).
	with []tag.Tag
}

// Log floors of the server's phases.
const (
	floorRunning  = slog.LevelDebug - 4
	floorStarting = slog.LevelError
	floorStopping = slog.LevelError + 4
	// levelSevere marks DPanic, Panic and Fatal: above every floor.
	levelSevere = slog.LevelError + 8
)

var _ log.Logger = (*slogLogger)(nil)
var _ log.WithLogger = (*slogLogger)(nil)

func newSlogLogger(l *slog.Logger, min slog.Level, floor *atomic.Int64) *slogLogger {
	return &slogLogger{l: l.With("component", "temporal"), min: min, floor: floor}
}

func (s *slogLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	if level < s.min || level < slog.Level(s.floor.Load()) {
		return
	}
	if level >= levelSevere {
		level = slog.LevelError // past every floor; shown as a plain error
	}
	if !s.l.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]any, 0, len(s.with)+len(tags))
	for _, t := range s.with {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	s.l.Log(context.Background(), level, msg, attrs...)
}

func (s *slogLogger) Debug(msg string, tags ...tag.Tag) { s.log(slog.LevelDebug, msg, tags) }
func (s *slogLogger) Info(msg string, tags ...tag.Tag)  { s.log(slog.LevelInfo, msg, tags) }
func (s *slogLogger) Warn(msg string, tags ...tag.Tag)  { s.log(slog.LevelWarn, msg, tags) }
func (s *slogLogger) Error(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// DPanic is an error that panics in development builds of Temporal only.
func (s *slogLogger) DPanic(msg string, tags ...tag.Tag) { s.log(levelSevere, msg, tags) }

// Panic and Fatal keep the contract of the Temporal logger: the caller does
// not expect to continue.
func (s *slogLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(levelSevere, msg, tags)
	panic(msg)
}

func (s *slogLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(levelSevere, msg, tags)
	fmt.Fprintln(os.Stderr, "temporal server fatal error:", msg)
	os.Exit(1)
}

func (s *slogLogger) With(tags ...tag.Tag) log.Logger {
	return &slogLogger{l: s.l, min: s.min, floor: s.floor, with: append(slices.Clip(s.with), tags...)}
}
