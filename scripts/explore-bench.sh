#!/bin/sh
# Explore throughput (BENCHMARKS.md, "Explore"): states/s, distinct states
# and the depth fully explored in 60 s on the B2 tree (mainline, default
# alphabet, 2 workers), with and without state hashing, RUNS runs each.
# Usage: scripts/explore-bench.sh [RUNS] [SECONDS]   (defaults 3, 60)
# FLAGS adds explore flags to every run (FLAGS=-por: sleep sets,
# FLAGS=-branch=copy: branching by copying kernels).
set -eu
RUNS=${1:-3}
SECS=${2:-60}
TREE=${TREE:-corpus/b2-depopulate-remove.prog}
FLAGS=${FLAGS:-}
go build -o /tmp/dangle-explore-bench ./cmd/dangle
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), commit $(git rev-parse --short HEAD), $(date -u +%F)"
for hash in true false; do
	i=1
	while [ "$i" -le "$RUNS" ]; do
		line=$(/tmp/dangle-explore-bench explore -depth 99 -timeout "${SECS}s" -workers 2 -kernel mainline \
			-hash=$hash $FLAGS -tree "$TREE" 2>&1 >/dev/null | grep "depth .* complete")
		echo "hash=$hash run $i: ${line#*: }"
		i=$((i + 1))
	done
done
