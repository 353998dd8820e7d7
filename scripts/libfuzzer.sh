#!/usr/bin/env bash
# Builds one native Go fuzz target of ./fuzz as a libFuzzer binary and runs
# it, the way ClusterFuzzLite's compile_native_go_fuzzer does:
#   scripts/libfuzzer.sh [Target] [seconds]      (default FuzzLifecycle 30)
# Needs go-118-fuzz-build (installed here into $(go env GOPATH)/bin if
# missing), clang-14 and libclang-rt-14-dev (Debian). The build happens in
# a copy of the tree under build/libfuzzer/, so the go-118-fuzz-build/testing
# requirement never reaches the project's go.mod.
# A finding stops the run (exit 77) and prints the program and its replay
# command; the raw input is build/libfuzzer/crash-* (the bytes the target
# decodes).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-FuzzLifecycle}
secs=${2:-30}
ver=v0.0.0-20250520111509-a70c2aa677fa
gobin=$(go env GOPATH)/bin
if [ ! -x "$gobin/go-118-fuzz-build" ]; then
	go install "github.com/AdamKorcz/go-118-fuzz-build@$ver"
fi
cc=$(command -v clang-14 || command -v clang || true)
if [ -z "$cc" ]; then
	echo "libfuzzer: needs clang (apt-get install -y clang-14 libclang-rt-14-dev)" >&2
	exit 2
fi
out=build/libfuzzer
src=$out/src
rm -rf "$src"
mkdir -p "$src"
git ls-files -z | xargs -0 cp --parents -t "$src"
(cd "$src" && go get "github.com/AdamKorcz/go-118-fuzz-build/testing@$ver" >/dev/null 2>&1)
(cd "$src" && "$gobin/go-118-fuzz-build" -o "../$target.a" -func "$target" ./fuzz)
"$cc" -fsanitize=fuzzer "$out/$target.a" -o "$out/$target"
mkdir -p "$out/corpus-$target"
if (cd "$src" && go run ./fuzz/seedcorpus -o "../corpus-$target" >/dev/null 2>&1); then :; fi
echo "libfuzzer: running $out/$target for ${secs}s (corpus $out/corpus-$target)"
"$out/$target" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus-$target"
