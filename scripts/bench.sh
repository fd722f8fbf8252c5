#!/usr/bin/env bash
# Performance benchmark: every built-in rule over a synthetic organization of 10,000 accounts
# × 4 regions. Target: <= 1 s wall and <= 500 MB peak RSS for the evaluation (criterion's
# evaluate/10000x4); the timed scans show what a user waits for, reading and parsing the
# snapshot and writing the report included.
#
#   scripts/bench.sh                 # 10,000 accounts, 3 timed scans, then criterion
#   ACCOUNTS=2000 RUNS=5 scripts/bench.sh
#   SKIP_CRITERION=1 scripts/bench.sh
#
# 1. builds the release binary and the `synthetic` example;
# 2. writes the synthetic snapshot (crates/core/examples/synthetic/generate.rs) into a temporary directory;
# 3. times `trailwarden scan --snapshot FILE --json /dev/null --quiet --fail-on never` under
#    GNU time, RUNS times: wall seconds and max RSS of each run. This is the user-facing
#    number: it includes reading and parsing the JSON snapshot and rendering the JSON report;
# 4. runs the criterion benchmark (benches/evaluate.rs) on the same organization size:
#    evaluation alone, in memory, and view building alone.
set -euo pipefail

cd "$(dirname "$0")/.."
ACCOUNTS="${ACCOUNTS:-10000}"
RUNS="${RUNS:-3}"

if ! command -v /usr/bin/time >/dev/null 2>&1; then
    echo "GNU time is missing; installing the \`time\` package" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    $sudo apt-get install -y time
fi

cargo build --release --bin trailwarden && cargo build --release -p trailwarden-core --example synthetic

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
snapshot="$tmp/synthetic-${ACCOUNTS}.json"
target/release/examples/synthetic --accounts "$ACCOUNTS" --output "$snapshot"

rules="$(target/release/trailwarden rules list | tail -n +2 | wc -l)"
size_bytes="$(stat -c %s "$snapshot")"
echo
echo "rules loaded:  $rules (trailwarden rules list)"
echo "snapshot:      $ACCOUNTS accounts x 4 regions, $(awk -v b="$size_bytes" 'BEGIN { printf "%.1f MB (%d bytes)", b / 1e6, b }')"
echo "command:       target/release/trailwarden scan --snapshot $snapshot --json /dev/null --quiet --fail-on never"
echo "machine:       $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

for run in $(seq 1 "$RUNS"); do
    /usr/bin/time -v -o "$tmp/time.$run" \
        target/release/trailwarden scan --snapshot "$snapshot" --json /dev/null --quiet --fail-on never
    awk -v run="$run" -F': ' '
        /Elapsed \(wall clock\) time/ {
            n = split($2, part, ":"); wall = 0
            for (i = 1; i <= n; i++) wall = wall * 60 + part[i]
        }
        /User time \(seconds\)/ { user = $2 }
        /System time \(seconds\)/ { sys = $2 }
        /Maximum resident set size \(kbytes\)/ { rss = $2 }
        END { printf "run %d: %.2f s wall (%.2f s user, %.2f s sys), max RSS %.0f MB\n", run, wall, user, sys, rss / 1024 }
    ' "$tmp/time.$run"
done

if [ -z "${SKIP_CRITERION:-}" ]; then
    echo
    TRAILWARDEN_BENCH_ACCOUNTS="$ACCOUNTS" cargo bench -p trailwarden-core --bench evaluate
fi
