#!/usr/bin/env bash
# The README's test command: installs what the tests need on a Debian or Ubuntu machine, then
# runs `cargo test --locked`. Every install step is idempotent and non-interactive, so a second
# run goes straight to the tests. .ci/run runs this after its style and lint checks.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1   # the SARIF multitool needs no ICU

# Headless Chromium for the HTML report tests (tests/integration/html.rs, driven by
# scripts/html-browser.mjs with the node that npm below runs on).
if ! command -v chromium >/dev/null 2>&1; then
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
chromium --version

# Microsoft's SARIF multitool (GitHub's upload rules), project-local under .ci/node.
multitool=.ci/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$multitool" ]; then
    npm install --prefix .ci/node --no-audit --no-fund --no-save @microsoft/sarif-multitool >/dev/null
    # npm may skip the package's postinstall (which only does this).
    chmod u+x "$multitool"
fi
"$multitool" --version | head -1

# The local AWS endpoint (moto in .venv/) for the live-scan tests (tests/integration/live.rs).
scripts/setup-moto.sh
# The linters (check-jsonschema, zizmor, hadolint) for the workflow, action, recipe and
# Dockerfile tests (tests/integration/docs.rs).
scripts/setup-lint.sh

cargo test --locked "$@"
