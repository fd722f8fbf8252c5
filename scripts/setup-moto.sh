#!/usr/bin/env bash
# Creates .venv/ at the repository root with moto 5.2.5 in server mode (plus flask and
# flask-cors), pinned by tests/moto/requirements.txt, for the integration tests' local AWS
# endpoint (tests/moto/launcher.py). Idempotent and non-interactive: a venv whose installed
# pins match the requirements file is left alone. Prints the venv's python path on stdout
# (the only line printed there); progress goes to stderr.
#
#   scripts/setup-moto.sh            # create or refresh .venv
#   PYTHON=python3.12 scripts/setup-moto.sh
#   VENV=/some/dir scripts/setup-moto.sh
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
REQ="$ROOT/tests/moto/requirements.txt"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.trailwarden-moto.sha256"

die() { echo "setup-moto: error: $*" >&2; exit 1; }
log() { echo "setup-moto: $*" >&2; }

[ -f "$REQ" ] || die "missing $REQ"
command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found; install Python 3 (3.9 or newer) or set PYTHON=/path/to/python3"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
    || die "$("$PYTHON" -V 2>&1) is too old: moto 5.2.5 needs Python 3.9 or newer"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
vpy="$VENV/bin/python"

# Already set up with exactly these pins?
if [ -x "$vpy" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
    && "$vpy" -c 'import moto, flask, flask_cors, boto3; assert moto.__version__ == "5.2.5"' >/dev/null 2>&1; then
    log "$VENV is up to date (moto 5.2.5)"
    echo "$vpy"
    exit 0
fi

# A venv that is broken (interpreter gone, e.g. after a Python upgrade) is rebuilt.
if [ -d "$VENV" ] && ! { [ -x "$vpy" ] && "$vpy" -c 'import sys' >/dev/null 2>&1; }; then
    log "removing broken virtual environment $VENV"
    rm -rf "$VENV"
fi

if [ ! -x "$vpy" ]; then
    log "creating virtual environment $VENV with $("$PYTHON" -V 2>&1)"
    "$PYTHON" -m venv "$VENV" \
        || die "'$PYTHON -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
log "installing pinned packages from tests/moto/requirements.txt (moto[server]==5.2.5, flask, flask-cors)"
"$vpy" -m pip install --quiet --require-virtualenv -r "$REQ" >&2 \
    || die "pip install failed; is PyPI reachable? (see the pip output above)"

"$vpy" -c 'import moto, flask, flask_cors, boto3; assert moto.__version__ == "5.2.5", moto.__version__' >&2 \
    || die "the installed packages do not import (moto 5.2.5, flask, flask-cors, boto3)"

echo "$want" > "$STAMP"
log "ready: $vpy (moto 5.2.5)"
echo "$vpy"
