#!/bin/sh
# RSS of a soak over time: builds cmd/stress, runs it for DURATION (default
# 10m) into a fresh directory and prints the resident set every STEP
# seconds (default 30), then the growth after the first minute.
#   scripts/stress-rss.sh [DURATION] [STEP] [extra stress flags...]
set -e
dur=${1:-10m}; step=${2:-30}; shift 2 2>/dev/null || true
bin=$(mktemp -d)/stress; out=$(mktemp -d)
go build -o "$bin" ./cmd/stress
"$bin" -duration "$dur" -out "$out" -status plain -status-every "${step}s" "$@" > "$out/stress.out" 2>&1 &
pid=$!
t=0; first=""
echo "seconds rss_kb"
while kill -0 $pid 2>/dev/null; do
	sleep "$step"; t=$((t + step))
	rss=$(awk '/^VmRSS:/{print $2}' /proc/$pid/status 2>/dev/null) || break
	[ -n "$rss" ] || break
	echo "$t $rss"
	[ $t -ge 60 ] && [ -z "$first" ] && first=$rss
	last=$rss
done
wait $pid || true
grep '^stress: ' "$out/stress.out" | tail -1
if [ -n "$first" ] && [ -n "$last" ]; then
	echo "RSS after 1 min: ${first} kB; at the end: ${last} kB; growth: $(( (last - first) * 100 / first ))%"
fi
echo "output: $out"
