# Everyday commands; CI runs .ci/run, which runs the same test command.
export GOTOOLCHAIN := local

.PHONY: build test test-short vet bench bench-cluster bench-more run fmt web

# Stripped: every SHELL/PYTHON job starts a supervisor that re-runs this
# binary, and an unstripped one takes several times longer to start.
build:
	go build -ldflags "-s -w" -o bin/jobflow ./cmd/jobflow

run: build
	./bin/jobflow standalone

# The full suite (what CI runs): PostgreSQL, MariaDB, chromium, root. The
# e2e packages run one at a time: each starts servers, workers and a browser.
test:
	go test -count=1 -timeout 60m ./...
	go test -C e2e -count=1 -p 1 -timeout 60m ./...

# The fast tier, the everyday command: SQLite and in-process Temporal only;
# tests that need more skip under -short (jobflow/internal/testtier).
test-short:
	go test -short ./...

vet:
	test -z "$$(gofmt -l .)" && go vet ./... && go vet -C e2e ./...

fmt:
	gofmt -w .

# jobflow against bare Temporal on the same server (docs/benchmarks.md): a
# sequential step against the hand-written workflow, one-job runs per second
# under sustained invoke load (against a bare no-op activity and a bare
# `true` process), invoke latency, the 300-schedule storm (two rounds) and
# tenant fairness, each run three times side by side. It prints one table
# and writes it into docs/benchmarks.md with the machine, date and load
# averages. About 20 minutes on a quiet 2-core machine. STORM=1000 runs the
# full storm instead.
bench:
	go run ./bench/report -runs 3 $(if $(STORM),-storm $(STORM)) -write docs/benchmarks.md

# The same comparison on the production shape: deploy/cluster/up.sh's
# topology (two Temporal nodes, two APIs, two workers, PostgreSQL) against
# bare Temporal on that cluster (docs/benchmarks.md). About ten minutes.
bench-cluster:
	go test -C e2e ./cluster -count=1 -run '^$$' -bench Cluster -benchtime 1x -timeout 40m

# docs/benchmarks.md's other figures: workflow list search, FlowRun against the
# hand-written workflow on large DAGs; docs/benchmarks.md's log spam
# (run as root, so jobs are sandboxed with their limits).
bench-more:
	go test ./store -run '^$$' -bench BenchmarkFindWorkflows -benchtime 2000x
	go test ./httpapi -run '^$$' -bench ListWorkflows_Search -benchtime 1000x
	go run ./bench/flowbench
	go build -ldflags "-s -w" -o bin/jobflow ./cmd/jobflow
	go run ./bench/logspam -bin bin/jobflow

# The web console: write web/openapi.json from the route table, regenerate
# the API types from it, and rebuild the committed, embedded build in
# web/dist (then commit web/). Needs Node 20+ and npm.
web:
	JOBFLOW_WRITE_OPENAPI=1 go test -count=1 ./httpapi -run '^TestOpenAPI_WebCopy$$'
	cd web && npm ci && npm run gen:api && npm run lint && npm run build
