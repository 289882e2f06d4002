# Everyday commands; CI runs .ci/run, which runs the same test command.
export GOTOOLCHAIN := local

.PHONY: build test vet bench run fmt

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
