# Everyday commands; CI runs .ci/run, which runs the same test command.
export GOTOOLCHAIN := local

.PHONY: build test test-short vet bench bench-more run fmt web

# Stripped: every SHELL/PYTHON job starts a supervisor that re-runs this
# binary, and an unstripped one takes several times longer to start.
build:
	go build -ldflags "-s -w" -o bin/jobflow ./cmd/jobflow

run: build
	./bin/jobflow standalone

# The full suite (what CI runs): PostgreSQL, MariaDB, chromium, root.
test:
	go test -count=1 -timeout 60m ./...
	go test -C e2e -count=1 -timeout 60m ./...

# The fast tier, the everyday command: SQLite and in-process Temporal only;
# tests that need more skip under -short (jobflow/internal/testtier).
test-short:
	go test -short ./...

vet:
	test -z "$$(gofmt -l .)" && go vet ./... && go vet -C e2e ./...

fmt:
	gofmt -w .

# jobflow against bare Temporal on the same server (docs/benchmarks.md): a sequential
# step against the hand-written workflow, one-job runs per second under
# sustained invoke load, and the schedule storm (300 schedules twice here;
# `bin/storm -n 1000` for the full one). About six minutes on a quiet
# machine, 15 at load average 25. Each prints its ratio; docs/benchmarks.md's
# figures table is made from what this prints.
bench:
	go test ./bench -run '^$$' -bench 'BenchmarkStep/poll-rps=1000/noop' -benchtime 5x
	go build -ldflags "-s -w" -o bin/invokelat ./bench/invokelat
	bin/invokelat -n 100 -duration 20s -bare noop
	go build -ldflags "-s -w" -o bin/storm ./bench/storm
	bin/storm -n 300 -rounds 2
	go run ./bench/fairbench

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
