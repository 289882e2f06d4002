# Everyday commands; CI runs .ci/run, which runs the same test command.
export GOTOOLCHAIN := local

.PHONY: build test vet bench run fmt web

# Stripped: every SHELL/PYTHON job starts a supervisor that re-runs this
# binary, and an unstripped one takes several times longer to start.
build:
	go build -ldflags "-s -w" -o bin/jobflow ./cmd/jobflow

run: build
	./bin/jobflow standalone

test:
	go test -count=1 -timeout 60m ./...

vet:
	test -z "$$(gofmt -l .)" && go vet ./...

fmt:
	gofmt -w .

# The benchmarks whose figures are in the README.
bench:
	go test ./store -run '^$$' -bench BenchmarkFindWorkflows -benchtime 2000x
	go test ./httpapi -run '^$$' -bench ListWorkflows_Search -benchtime 1000x
	go run ./bench/flowbench

# The web console: write web/openapi.json from the route table, regenerate
# the API types from it, and rebuild the committed, embedded build in
# web/dist (then commit web/). Needs Node 20+ and npm.
web:
	JOBFLOW_WRITE_OPENAPI=1 go test -count=1 ./httpapi -run '^TestOpenAPI_WebCopy$$'
	cd web && npm ci && npm run gen:api && npm run lint && npm run build
