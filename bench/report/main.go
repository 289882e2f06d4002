// Command report is make bench: it runs each comparison against bare
// Temporal -runs times, side by side on one machine, and prints one table
// of every run's figures, their median and whether the target holds in
// all of them (docs/benchmarks.md#make-bench-one-table). With -write it
// puts that table into docs/benchmarks.md between its markers, with the
// machine, the date and the load averages.
//
//	go run ./bench/report -runs 3 -write docs/benchmarks.md   # make bench
//	go run ./bench/report -smoke -runs 1                      # seconds-sized, what CI runs
//
// Each benchmark runs as its own process (its own embedded Temporal
// server), one after the other, so one's backlog never slows the next.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"jobflow/bench/internal/figures"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// sizes are the benchmarks' sizes: make bench's, or the smoke test's.
type sizes struct {
	stepTime           string
	invokeN            int
	invokeFor          time.Duration
	stormN, stormRound int
	stormLead          time.Duration
	fairN, fairProbes  int
}

var (
	full  = sizes{stepTime: "5x", invokeN: 100, invokeFor: 20 * time.Second, stormN: 300, stormRound: 2, stormLead: 10 * time.Second, fairN: 1000, fairProbes: 9}
	smoke = sizes{stepTime: "1x", invokeN: 3, invokeFor: 2 * time.Second, stormN: 4, stormRound: 1, stormLead: 6 * time.Second, fairN: 20, fairProbes: 2}
)

// measurement is one run of every benchmark.
type measurement struct {
	loadBefore, loadAfter string
	stepMs, handStepMs    float64
	invoke                figures.Invoke
	storm                 figures.Storm
	fair                  []figures.Fair
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	runs := fs.Int("runs", 3, "side-by-side runs of every benchmark; the table gives each and their median")
	isSmoke := fs.Bool("smoke", false, "seconds-sized benchmarks: do they build and run (CI), not figures")
	write := fs.String("write", "", "put the table into this markdown file, between its bench/report markers")
	stormN := fs.Int("storm", 0, "schedules per storm (default 300; 1000 for the full storm)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	sz := full
	if *isSmoke {
		sz = smoke
	}
	if *stormN > 0 {
		sz.stormN = *stormN
	}
	root, err := repoRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "bench-report-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, tool := range []string{"invokelat", "storm", "fairbench"} {
		// Stripped like make build: the jobs' supervisor re-runs the binary.
		cmd := exec.CommandContext(ctx, "go", "build", "-ldflags", "-s -w", "-o", filepath.Join(tmp, tool), "./bench/"+tool)
		if err := runCmd(cmd, root, stderr); err != nil {
			return fmt.Errorf("build %s: %w", tool, err)
		}
	}
	m := machine()
	started := time.Now().UTC()
	var ms []measurement
	for i := range *runs {
		fmt.Fprintf(stderr, "report: run %d of %d, load average %s\n", i+1, *runs, figures.LoadAverage())
		got, err := measureOnce(ctx, root, tmp, sz, stderr)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		ms = append(ms, got)
	}
	t := table(ms, sz)
	doc := t.markdown(m, started, time.Now().UTC(), *isSmoke)
	fmt.Fprint(stdout, doc)
	if *write != "" {
		return writeBetweenMarkers(*write, doc)
	}
	return nil
}

// measureOnce runs every benchmark once, one after the other.
func measureOnce(ctx context.Context, root, bin string, sz sizes, log io.Writer) (measurement, error) {
	m := measurement{loadBefore: figures.LoadAverage()}
	var err error
	if m.stepMs, m.handStepMs, err = step(ctx, root, sz.stepTime); err != nil {
		return m, fmt.Errorf("step: %w", err)
	}
	out := filepath.Join(bin, "figures.json")
	inv := exec.CommandContext(ctx, filepath.Join(bin, "invokelat"), "-n", strconv.Itoa(sz.invokeN),
		"-duration", sz.invokeFor.String(), "-bare", "noop,exec", "-json", out)
	if err := runCmd(inv, root, log); err != nil {
		return m, fmt.Errorf("invokelat: %w", err)
	}
	if err := figures.Read(out, &m.invoke); err != nil {
		return m, err
	}
	st := exec.CommandContext(ctx, filepath.Join(bin, "storm"), "-n", strconv.Itoa(sz.stormN), "-rounds", strconv.Itoa(sz.stormRound),
		"-lead", sz.stormLead.String(), "-bare", "noop", "-json", out)
	if err := runCmd(st, root, log); err != nil {
		return m, fmt.Errorf("storm: %w", err)
	}
	if err := figures.Read(out, &m.storm); err != nil {
		return m, err
	}
	fb := exec.CommandContext(ctx, filepath.Join(bin, "fairbench"), "-n", strconv.Itoa(sz.fairN), "-probes", strconv.Itoa(sz.fairProbes), "-json", out)
	if err := runCmd(fb, root, log); err != nil {
		return m, fmt.Errorf("fairbench: %w", err)
	}
	if err := figures.Read(out, &m.fair); err != nil {
		return m, err
	}
	m.loadAfter = figures.LoadAverage()
	return m, nil
}

// step runs BenchmarkStep's no-op case at jobflow's queue read rate and
// returns FlowRun's and the hand-written workflow's step p50 in ms.
func step(ctx context.Context, root, benchtime string) (flow, hand float64, err error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "test", "./bench", "-count=1", "-run", "^$",
		"-bench", "^BenchmarkStep$/^poll-rps=1000$/^noop$", "-benchtime", benchtime)
	if err := runCmd(cmd, root, &out); err != nil {
		return 0, 0, fmt.Errorf("%w\n%s", err, out.String())
	}
	metrics := map[string]float64{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], "BenchmarkStep/") {
			continue
		}
		// name, iterations, then value-unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				metrics[f[i+1]] = v
			}
		}
	}
	flow, ok1 := metrics["step-p50-ms"]
	hand, ok2 := metrics["hand-step-p50-ms"]
	if !ok1 || !ok2 {
		return 0, 0, fmt.Errorf("no step figures in the benchmark's output:\n%s", out.String())
	}
	return flow, hand, nil
}

func runCmd(cmd *exec.Cmd, dir string, out io.Writer) error {
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	return cmd.Run()
}

// repoRoot is the root module's directory, so the report runs the same
// from the repository root (make bench) and from its own package (tests).
func repoRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the jobflow module")
	}
	return filepath.Dir(mod), nil
}
