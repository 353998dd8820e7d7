#!/bin/bash -eu
# Builds every dangle fuzz target as a libFuzzer binary. The fuzz targets
# are ordinary `go test -fuzz` targets (fuzz/*_test.go);
# compile_native_go_fuzzer rewrites them against
# github.com/AdamKorcz/go-118-fuzz-build/testing, which is added to go.mod
# here only (the project's go.mod does not carry it).
cd "$SRC/dangle"
go get github.com/AdamKorcz/go-118-fuzz-build/testing@v0.0.0-20250520111509-a70c2aa677fa

# target            binary name
while read -r func bin; do
	compile_native_go_fuzzer dangle/fuzz "$func" "$bin"
done <<'TARGETS'
FuzzLifecycle fuzz_lifecycle
FuzzOverlay fuzz_overlay
FuzzDevlink fuzz_devlink
FuzzGPIO fuzz_gpio
FuzzProgText fuzz_prog_text
FuzzDTS fuzz_dts
TARGETS

# Seed corpora: the corpus programs and crashers, encoded as the byte
# decoder reads them (one file per program).
if go run ./fuzz/seedcorpus -o "$WORK/seeds" >/dev/null; then
	for bin in fuzz_lifecycle fuzz_overlay fuzz_devlink fuzz_gpio; do
		(cd "$WORK/seeds" && zip -q -r "$OUT/${bin}_seed_corpus.zip" .)
	done
fi
