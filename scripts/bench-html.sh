#!/usr/bin/env bash
# The HTML report at scale: `scan --html` against `scan --json` on synthetic organizations
# (time and peak memory), the HTML's size, and how long headless Chromium takes to open it.
# Targets at 10,000 accounts × 4 regions: --html within 3× the time of --json and 500 MB peak
# RSS; the page at most 30 MB and open in seconds.
#
#   scripts/bench-html.sh                      # 1,000 and 10,000 accounts, 3 runs each
#   ACCOUNTS="2000" RUNS=5 scripts/bench-html.sh
#   BIN=/path/to/other/trailwarden scripts/bench-html.sh   # compare another build
#
# 1. builds the release binary without the AWS SDK (it scans snapshots only) and the
#    `synthetic` example, unless BIN is given;
# 2. writes each synthetic snapshot (crates/core/examples/synthetic/generate.rs) into a
#    temporary directory;
# 3. runs `scan --snapshot FILE --json OUT` and `scan --snapshot FILE --html OUT`, alternately,
#    RUNS times each, under GNU time: wall, user and system seconds and max RSS of each run;
# 4. loads the HTML in headless Chromium RUNS times (scripts/html-browser.mjs): time from
#    navigation to the load event and to the page's script having drawn the findings.
# The machine may be shared: the script prints its load average, and runs alternate so that a
# busy spell does not fall on one format only.
set -euo pipefail

cd "$(dirname "$0")/.."
ACCOUNTS="${ACCOUNTS:-1000 10000}"
RUNS="${RUNS:-3}"

for tool in /usr/bin/time node chromium; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool is missing: sudo apt-get install -y time nodejs chromium" >&2
        exit 2
    fi
done

if [ -z "${BIN:-}" ]; then
    cargo build --release -p trailwarden --no-default-features
    BIN=target/release/trailwarden
fi
cargo build --release -p trailwarden-core --example synthetic

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One line per run from GNU time's verbose output.
timed() {
    local label="$1"; shift
    /usr/bin/time -v -o "$tmp/time" "$@"
    awk -v label="$label" -F': ' '
        /Elapsed \(wall clock\) time/ {
            n = split($2, part, ":"); wall = 0
            for (i = 1; i <= n; i++) wall = wall * 60 + part[i]
        }
        /User time \(seconds\)/ { user = $2 }
        /System time \(seconds\)/ { sys = $2 }
        /Maximum resident set size \(kbytes\)/ { rss = $2 }
        END { printf "  %-6s %6.2f s wall  %6.2f s CPU (%.2f user + %.2f sys)  max RSS %4.0f MB\n", label, wall, user + sys, user, sys, rss / 1024 }
    ' "$tmp/time"
}

echo "binary:  $BIN"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for accounts in $ACCOUNTS; do
    snapshot="$tmp/synthetic-$accounts.json"
    target/release/examples/synthetic --accounts "$accounts" --output "$snapshot" 2>/dev/null
    echo
    echo "== $accounts accounts × 4 regions ($(stat -c %s "$snapshot" | awk '{ printf "%.1f MB", $1 / 1e6 }') snapshot)"
    for run in $(seq 1 "$RUNS"); do
        for format in json html; do
            timed "$format" "$BIN" scan --snapshot "$snapshot" --"$format" "$tmp/report.$format" --quiet --fail-on never
        done
    done
    echo "  HTML: $(stat -c %s "$tmp/report.html" | awk '{ printf "%.1f MB (%d bytes)", $1 / 1e6, $1 }'), JSON: $(stat -c %s "$tmp/report.json" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
    for run in $(seq 1 "$RUNS"); do
        node scripts/html-browser.mjs --chromium "$(command -v chromium)" --page "$tmp/report.html" |
            node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
                const r = JSON.parse(s), t = r.timings;
                console.log(`  Chromium: load event ${t.load_event_ms} ms, findings drawn ${t.ready_ms} ms after navigation` +
                    ` (in-page: DOMContentLoaded ${t.page.dom_content_loaded_ms} ms, script done ${t.page.script_ready_ms} ms);` +
                    ` console messages ${r.console.length}, errors ${r.errors.length}`);
            });'
    done
done
