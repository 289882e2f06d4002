package activities

import (
	"io"
	"io/fs"
	"path/filepath"
	"time"
)

// rateReader reads at most rate bytes a second from a job's output pipe. A
// job that writes faster is held back by its own full pipe, so a `yes`
// costs the worker the copying of rate bytes a second, not a core
// (docs/security.md). onLimit is called the first time it holds back.
type rateReader struct {
	r       io.Reader
	rate    int
	onLimit func()

	tokens  float64
	last    time.Time
	limited bool
}

func (rr *rateReader) Read(p []byte) (int, error) {
	now := time.Now()
	if rr.last.IsZero() {
		rr.tokens, rr.last = float64(rr.rate), now // a second's burst
	}
	rr.tokens = min(float64(rr.rate), rr.tokens+now.Sub(rr.last).Seconds()*float64(rr.rate))
	rr.last = now
	if rr.tokens < 1 {
		if !rr.limited {
			rr.limited = true
			rr.onLimit()
		}
		// Wait for a quarter second's worth (or what p holds), then go on.
		want := min(float64(len(p)), float64(rr.rate)/4+1)
		time.Sleep(time.Duration((want - rr.tokens) / float64(rr.rate) * float64(time.Second)))
		rr.tokens, rr.last = want, time.Now()
	}
	if len(p) > int(rr.tokens) {
		p = p[:int(rr.tokens)]
	}
	n, err := rr.r.Read(p)
	rr.tokens -= float64(n)
	return n, err
}

// watchWorkDir checks once a second how much a job's working directory
// holds, and calls over (once) when it holds more than limit bytes. It
// counts allocated blocks (a sparse file counts what it uses), never
// follows a link, and gives up a walk after maxWalk entries, counting
// what it saw: a job can overshoot by what it writes in a second.
func watchWorkDir(dir string, limit int64, done <-chan struct{}, over func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if dirUsage(dir, limit) > limit {
				over()
				return
			}
		}
	}
}

const maxWalk = 200000

// dirUsage is the bytes allocated below dir, stopping once past limit.
func dirUsage(dir string, limit int64) int64 {
	var used int64
	seen := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if seen++; seen > maxWalk || used > limit {
			return filepath.SkipAll
		}
		if info, err := d.Info(); err == nil {
			used += allocated(info)
		}
		return nil
	})
	return used
}
