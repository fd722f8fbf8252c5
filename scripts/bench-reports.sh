#!/usr/bin/env bash
# Report-format benchmark: `trailwarden scan --snapshot` over synthetic organizations, writing
# one output format at a time, so that each format's cost is the difference from the scan
# without output. Target at 10,000 accounts x 4 regions: Markdown and JUnit within 3x the
# JSON scan's wall time and within 500 MB peak RSS.
#
#   scripts/bench-reports.sh                       # 1,000 and 10,000 accounts, 3 runs each
#   SIZES=2000 RUNS=1 scripts/bench-reports.sh
#   FORMATS="json markdown" scripts/bench-reports.sh
#   TRAILWARDEN=/path/to/older/trailwarden scripts/bench-reports.sh   # measure another build
#
# 1. builds the release binary without the AWS SDK (scan --snapshot needs none) unless
#    TRAILWARDEN names a binary, and the `synthetic` example;
# 2. writes the synthetic snapshots (crates/core/examples/synthetic/generate.rs);
# 3. runs `scan --snapshot FILE --quiet --fail-on never` with each output alone (`none`: no
#    output; `sarif-dir`: `--sarif DIR/`, the directory form) under GNU time, RUNS times, and
#    prints wall seconds, user+sys CPU seconds, peak RSS and output size of each run, then the
#    median of each format and its ratio to the JSON scan's. A run that exceeds TIMEOUT
#    seconds (default 600) is stopped and reported as such.
#
# Measure on an idle machine: with another build running, wall times mean little.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES="${SIZES:-1000 10000}"
RUNS="${RUNS:-3}"
FORMATS="${FORMATS:-none json sarif-dir html markdown junit}"
TIMEOUT="${TIMEOUT:-600}"

for format in $FORMATS; do
    case "$format" in
        none | json | sarif | sarif-dir | html | markdown | junit) ;;
        *) echo "unknown format \`$format\` in FORMATS (none json sarif sarif-dir html markdown junit)" >&2; exit 2 ;;
    esac
done

if ! command -v /usr/bin/time >/dev/null 2>&1; then
    echo "GNU time is missing; installing the \`time\` package" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    $sudo apt-get install -y time
fi

if [ -z "${TRAILWARDEN:-}" ]; then
    cargo build --release -p trailwarden --no-default-features
    TRAILWARDEN=target/release/trailwarden
fi
cargo build --release -p trailwarden-core --example synthetic

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The output arguments of a format, writing under $1.
output_args() {
    local format="$1" out="$2"
    case "$format" in
        none) ;;
        json) echo "--json $out/report.json" ;;
        sarif-dir) echo "--sarif $out/sarif/" ;;
        sarif) echo "--sarif $out/report.sarif" ;;
        html) echo "--html $out/report.html" ;;
        markdown) echo "--markdown $out/summary.md" ;;
        junit) echo "--junit $out/junit.xml" ;;
    esac
}

echo "binary:   $TRAILWARDEN ($(stat -c %y "$TRAILWARDEN" | cut -d. -f1))"
echo "machine:  $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

results="$tmp/results.tsv"
: >"$results"
for accounts in $SIZES; do
    snapshot="$tmp/synthetic-$accounts.json"
    target/release/examples/synthetic --accounts "$accounts" --output "$snapshot" >/dev/null
    echo "== $accounts accounts x 4 regions ($(stat -c %s "$snapshot" | awk '{ printf "%.1f MB snapshot", $1 / 1e6 }'))"
    printf "%-10s %4s %9s %9s %9s %11s %s\n" format run "wall s" "cpu s" "RSS MB" "output MB" exit
    for format in $FORMATS; do
        for run in $(seq 1 "$RUNS"); do
            out="$tmp/out"
            rm -rf "$out" && mkdir -p "$out"
            # shellcheck disable=SC2046 # the output arguments are words
            set +e
            /usr/bin/time -v -o "$tmp/time" timeout "$TIMEOUT" \
                "$TRAILWARDEN" scan --snapshot "$snapshot" --quiet --fail-on never $(output_args "$format" "$out") \
                >/dev/null 2>"$tmp/stderr"
            code=$?
            set -e
            status="$code"
            if [ "$code" -eq 124 ]; then status="timeout after ${TIMEOUT} s"; fi
            if [ "$code" -ne 0 ] && [ "$code" -ne 124 ]; then status="$code: $(head -c 160 "$tmp/stderr" | tr '\n' ' ')"; fi
            bytes="$(find "$out" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')"
            awk -v format="$format" -v run="$run" -v bytes="$bytes" -v status="$status" -v accounts="$accounts" -F': ' '
                /Elapsed \(wall clock\) time/ {
                    n = split($2, part, ":"); wall = 0
                    for (i = 1; i <= n; i++) wall = wall * 60 + part[i]
                }
                /User time \(seconds\)/ { user = $2 }
                /System time \(seconds\)/ { sys = $2 }
                /Maximum resident set size \(kbytes\)/ { rss = $2 }
                END {
                    printf "%-10s %4d %9.2f %9.2f %9.0f %11.1f %s\n", format, run, wall, user + sys, rss / 1024, bytes / 1e6, status
                    printf "%s\t%s\t%.2f\t%.2f\t%.0f\t%.1f\t%s\n", accounts, format, wall, user + sys, rss / 1024, bytes / 1e6, status >> "'"$results"'"
                }
            ' "$tmp/time"
        done
    done
    echo
done

# Medians per size and format, and the ratio of each format's median wall time to JSON's.
echo "== medians over $RUNS run(s) (ratio: wall time / the JSON scan's)"
printf "%-8s %-10s %9s %9s %9s %11s %7s\n" accounts format "wall s" "cpu s" "RSS MB" "output MB" ratio
for accounts in $SIZES; do
    median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    json_wall="$(awk -F'\t' -v a="$accounts" '$1 == a && $2 == "json" { print $3 }' "$results" | median)"
    for format in $FORMATS; do
        rows="$(awk -F'\t' -v a="$accounts" -v f="$format" '$1 == a && $2 == f' "$results")"
        wall="$(cut -f3 <<<"$rows" | median)"
        cpu="$(cut -f4 <<<"$rows" | median)"
        rss="$(cut -f5 <<<"$rows" | sort -n | tail -1)"
        size="$(cut -f6 <<<"$rows" | median)"
        failed="$(cut -f7 <<<"$rows" | grep -cv '^0$' || true)"
        ratio="$(awk -v w="$wall" -v j="$json_wall" 'BEGIN { if (j > 0 && j != "nan") printf "%.2f", w / j; else print "-" }')"
        note=""
        if [ "$failed" -gt 0 ]; then note="  ($failed run(s) failed or timed out)"; fi
        printf "%-8s %-10s %9s %9s %9s %11s %7s%s\n" "$accounts" "$format" "$wall" "$cpu" "$rss" "$size" "$ratio" "$note"
    done
done
