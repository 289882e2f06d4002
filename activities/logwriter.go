package activities

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"jobflow"
)

// flushBytes is the buffer size at which a write flushes at once, so a job
// printing fast is streamed in bounded chunks and never buffered whole.
const flushBytes = 64 << 10

// nodeLog streams a node's output into the store. Writes are buffered and
// appended to the node run's log at least every second (so the log is
// visible while the job runs) and whenever the buffer reaches flushBytes.
// The store keeps the tail; nodeLog only guarantees order and freshness.
//
// While the store cannot be written (an outage, a locked SQLite file) the
// output is kept here, in order, and the periodic flush tries again every
// second; Close retries with backoff until the store answers (for up to
// storeRetryTotal). What is kept is bounded by the store's own tail:
// beyond jobflow.MaxLogBytes waiting, the oldest bytes go, exactly the
// ones the store would cut anyway. So within the 1 MiB tail nothing is
// lost, and a job is never slowed down by a store that is away.
type nodeLog struct {
	masker       *secretMasker   // set before the first write: secrets become ******
	ctx          context.Context // outlives an abort: the last lines still land
	runs         jobflow.RunService
	runID, jobID string
	logger       *slog.Logger

	mu      sync.Mutex // guards buf, failing and dropped
	buf     []byte
	failing bool // the last append failed: the store is away
	dropped int  // bytes cut from the head of buf while the store was away

	flushMu sync.Mutex // one append at a time, so chunks land in order

	stop chan struct{}
	done chan struct{}
}

func newNodeLog(ctx context.Context, runs jobflow.RunService, runID, jobID string, logger *slog.Logger) *nodeLog {
	l := &nodeLog{
		ctx: ctx, runs: runs, runID: runID, jobID: jobID, logger: logger,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go l.loop(DefaultLogFlushEvery)
	return l
}

func (l *nodeLog) loop(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.flush()
		}
	}
}

// Write buffers p; a full buffer is flushed before Write returns, which
// slows a runaway job down to the store's pace instead of growing memory.
// While the store is away it only buffers (keeping the tail).
func (l *nodeLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	n := len(p)
	if l.masker != nil { // secrets.go
		p = l.masker.mask(p)
	}
	l.buf = append(l.buf, p...)
	full := len(l.buf) >= flushBytes && !l.failing
	l.trimLocked()
	l.mu.Unlock()
	if full {
		l.flush()
	}
	return n, nil
}

// trimLocked keeps at most MaxLogBytes waiting: the tail the store keeps.
func (l *nodeLog) trimLocked() {
	if over := len(l.buf) - jobflow.MaxLogBytes; over > 0 {
		l.buf = append(l.buf[:0:0], l.buf[over:]...)
		l.dropped += over
	}
}

// Printf writes a line of jobflow's own into the log, marked as such.
func (l *nodeLog) Printf(format string, args ...any) {
	line := fmt.Sprintf("[jobflow %s] ", time.Now().UTC().Format("15:04:05")) + fmt.Sprintf(format, args...) + "\n"
	l.Write([]byte(line))
}

// Close stops the periodic flush and writes what is left, retrying while
// the store is away.
func (l *nodeLog) Close() {
	close(l.stop)
	<-l.done
	if l.masker != nil {
		l.mu.Lock()
		l.buf = append(l.buf, l.masker.rest()...)
		l.mu.Unlock()
	}
	err := retryStore(l.ctx, l.logger, "node log", func(context.Context) error { return l.flush() })
	if err != nil {
		l.mu.Lock()
		lost := len(l.buf)
		l.mu.Unlock()
		l.logger.Error("node log lost: the store did not come back", "run", l.runID, "job", l.jobID, "bytes", lost, "err", err)
	}
}

// flush appends what is buffered. On failure the chunk goes back in front
// of what was written meanwhile, so the order holds for the next try.
func (l *nodeLog) flush() error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	chunk := l.buf
	l.buf = nil
	l.mu.Unlock()
	if len(chunk) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(l.ctx, storeCallTimeout)
	defer cancel()
	err := l.runs.AppendNodeLog(ctx, l.runID, l.jobID, chunk)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil && storeRetryable(err) {
		if !l.failing {
			l.logger.Warn("append node log failed; keeping the output until the store answers",
				"run", l.runID, "job", l.jobID, "bytes", len(chunk), "err", err)
		}
		l.failing = true
		l.buf = append(chunk, l.buf...)
		l.trimLocked()
		return err
	}
	if err != nil {
		// The run is gone (NOT_FOUND): nothing to keep the output for.
		l.logger.Warn("append node log", "run", l.runID, "job", l.jobID, "bytes", len(chunk), "err", err)
		return nil
	}
	if l.failing {
		l.logger.Info("node log written after the store came back", "run", l.runID, "job", l.jobID, "dropped", l.dropped)
	}
	l.failing = false
	return nil
}
