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
type nodeLog struct {
	masker       *secretMasker   // set before the first write: secrets become ******
	ctx          context.Context // outlives an abort: the last lines still land
	runs         jobflow.RunService
	runID, jobID string
	logger       *slog.Logger

	mu  sync.Mutex // guards buf
	buf []byte

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
func (l *nodeLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	n := len(p)
	if l.masker != nil { // secrets.go
		p = l.masker.mask(p)
	}
	l.buf = append(l.buf, p...)
	full := len(l.buf) >= flushBytes
	l.mu.Unlock()
	if full {
		l.flush()
	}
	return n, nil
}

// Printf writes a line of jobflow's own into the log, marked as such.
func (l *nodeLog) Printf(format string, args ...any) {
	line := fmt.Sprintf("[jobflow %s] ", time.Now().UTC().Format("15:04:05")) + fmt.Sprintf(format, args...) + "\n"
	l.Write([]byte(line))
}

// Close stops the periodic flush and flushes what is left.
func (l *nodeLog) Close() {
	close(l.stop)
	<-l.done
	if l.masker != nil {
		l.mu.Lock()
		l.buf = append(l.buf, l.masker.rest()...)
		l.mu.Unlock()
	}
	l.flush()
}

func (l *nodeLog) flush() {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	chunk := l.buf
	l.buf = nil
	l.mu.Unlock()
	if len(chunk) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(l.ctx, 10*time.Second)
	defer cancel()
	if err := l.runs.AppendNodeLog(ctx, l.runID, l.jobID, chunk); err != nil {
		// A log that cannot be written must not fail the job; the lost
		// chunk is reported in the worker's own log.
		l.logger.Warn("append node log", "run", l.runID, "job", l.jobID, "bytes", len(chunk), "err", err)
	}
}
