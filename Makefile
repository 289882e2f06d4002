# Everyday commands; CI runs .ci/run, which runs the same test command.
export GOTOOLCHAIN := local

.PHONY: build test vet bench run fmt

build:
	go build -o bin/jobflow ./cmd/jobflow

run: build
	./bin/jobflow standalone

test:
	go test -count=1 -timeout 60m ./...

vet:
	gofmt -l . | (! grep .) && go vet ./...

fmt:
	gofmt -w .

# Benchmarks named in the README (figures written there).
bench:
	go test -run '^$$' -bench . -benchtime 200x ./store/ ./httpapi/
	go run ./bench/flowbench
