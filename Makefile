# dangle: see README.md. `make test` is what CI runs.
GO ?= go
FUZZTIME ?= 60s
STRESS_DURATION ?= 10m

.PHONY: all build test notices fuzz libfuzzer stress bench bench-all lint fmt

all: build test

build:
	$(GO) build ./...

# The whole test suite: unit and scenario tests, the dtc differential
# test (needs dtc: apt-get install device-tree-compiler), the seed corpora
# of every fuzz target. Well under 10 minutes on 2 cores.
test:
	$(GO) vet ./...
	@$(GO) test -count=1 ./...; status=$$?; $(MAKE) -s notices; exit $$status

# What make test skips for lack of a tool or of ../shared, said out loud
# (go test prints skips only with -v).
SHARED ?= ../shared
DTC ?= dtc
FDTOVERLAY ?= fdtoverlay
CPP_BIN ?= cpp
notices:
	@command -v $(DTC) >/dev/null 2>&1 || echo "NOTICE: $(DTC) not installed: the dtc differential and corpus tests were SKIPPED (apt-get install device-tree-compiler)"
	@command -v $(FDTOVERLAY) >/dev/null 2>&1 || echo "NOTICE: $(FDTOVERLAY) not installed: the fdtoverlay comparison was SKIPPED (apt-get install device-tree-compiler)"
	@command -v $(CPP_BIN) >/dev/null 2>&1 || echo "NOTICE: $(CPP_BIN) not installed: the -I preprocessing tests were SKIPPED (apt-get install cpp)"
	@test -d $(SHARED)/boards || echo "NOTICE: $(SHARED)/boards not found: the real-board tests were SKIPPED (the seeds and boards live in ../shared beside the repository)"

# Coverage-guided fuzzing: `make fuzz FUZZ=FuzzLifecycle FUZZTIME=60s`
# runs one target; without FUZZ, each target for FUZZTIME. Crashers land
# in the package's testdata/fuzz/ (dangle triage turns them into
# crashers/). Environment: DANGLE_KERNEL, DANGLE_IGNORE, DANGLE_STRICT,
# DANGLE_SEEDS=none (fuzz/doc.go).
FUZZ ?=
FUZZFLAGS ?=
# go test minimizes every new interesting input for up to 60 s by
# default, which stalls a busy machine's fuzzing for long stretches
# (0 execs/s); dangle triage and the minimizer shrink crashers later.
FUZZMINIMIZETIME ?= 2s
FUZZ_TARGETS = ./fuzz:FuzzLifecycle ./fuzz:FuzzOverlay ./fuzz:FuzzDevlink ./fuzz:FuzzGPIO \
	./fuzz:FuzzProgText ./fuzz:FuzzDTS ./dt:FuzzParse ./dt:FuzzReadFDT ./prog:FuzzParse
fuzz:
ifneq ($(FUZZ),)
	$(GO) test ./fuzz -run '^$$' -fuzz '^$(FUZZ)$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $(FUZZFLAGS)
else
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== $$t"; $(GO) test $${t%%:*} -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME); done
endif

# One fuzz target as a libFuzzer binary, as ClusterFuzzLite builds it
# (.clusterfuzzlite/), run for LIBFUZZER_TIME seconds. Needs clang-14 and
# libclang-rt-14-dev (Debian).
LIBFUZZER_TARGET ?= FuzzLifecycle
LIBFUZZER_TIME ?= 30
libfuzzer:
	scripts/libfuzzer.sh $(LIBFUZZER_TARGET) $(LIBFUZZER_TIME)

# The long-running soak (cmd/stress): crashers land in crashers/.
# stress-rss: its resident set over STRESS_DURATION (BENCHMARKS.md).
stress:
	$(GO) run ./cmd/stress -duration $(STRESS_DURATION)

stress-rss:
	scripts/stress-rss.sh $(STRESS_DURATION) 30

# Benchmarks: every generated table of BENCHMARKS.md and README.md's
# benchmark paragraph (scripts/bench; about 25-30 minutes on 2 cores;
# BENCH_QUICK=1: every table with small budgets, under 3 minutes).
# bench-all: every package's go test benchmarks, medians over 10 runs.
bench:
	$(GO) run ./scripts/bench

bench-all:
	$(GO) test -run '^$$' -bench . -benchmem -count 10 ./... | tee bench.out

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')
