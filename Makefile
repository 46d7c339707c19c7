# Battle Tracker. `make demo` runs the whole tracker against the simulator; `make test` runs
# the test suite. Both install what they need first (npm ci) and need only Node.js 20.19+ and npm.

NPM_STAMP := node_modules/.install-stamp
BUILD_STAMP := dist/.build-stamp
SOURCES := $(shell find server agent shared test -name '*.ts' -not -path '*/node_modules/*' 2>/dev/null)

.PHONY: all install build proto proto-check typecheck test test-faults demo bench agents clean \
	agent-linux-x64

all: build

install: $(NPM_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: $(BUILD_STAMP)

$(BUILD_STAMP): $(NPM_STAMP) $(SOURCES) tsconfig.json tsconfig.build.json
	npx tsc -p tsconfig.build.json
	@touch $@

## Regenerates shared/gen from proto/ (commit the result).
proto: $(NPM_STAMP)
	npx buf generate

## Fails when shared/gen is not what proto/ generates.
proto-check: $(NPM_STAMP)
	npx tap test/unit/proto.generated.test.ts --disable-coverage

typecheck: $(NPM_STAMP)
	npx tsc --noEmit -p .

## The whole suite: type check, unit, integration, end-to-end and fault tests.
test: $(BUILD_STAMP)
	npx tsc --noEmit -p .
	npx tap

## Only the slow fault-injection tests.
test-faults: $(BUILD_STAMP)
	npx tap test/faults --disable-coverage

## Server, agents, simulator and embedded PostgreSQL, two rounds on two simulated days.
demo: $(BUILD_STAMP)
	node dist/test/demo/main.js $(DEMO_ARGS)

## Benchmarks (not part of make test): prints a table of ratios, writes bench-results.json.
bench: $(BUILD_STAMP)
	node dist/test/bench/main.js $(BENCH_ARGS)

## Agent executables for every platform in build/agents/, with SHA256SUMS (not part of make test).
agents: $(BUILD_STAMP)
	node dist/agent/build/main.js

## Only the linux-x64 agent executable (what the tests run).
agent-linux-x64: $(BUILD_STAMP)
	node dist/agent/build/main.js linux-x64

clean:
	rm -rf dist build .tap coverage
