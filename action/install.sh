#!/usr/bin/env bash
# Install launchready from the action's own checkout into a virtualenv (reused when it already holds
# this version, e.g. restored by actions/cache), and expose the binary to later steps.
# Inputs (env): ACTION_PATH, VENV, PYTHON (default python3).
# Outputs: bin (the launchready command), python (the venv's), policy-pack (the packaged CrossGuard pack);
# the venv's bin/ goes on GITHUB_PATH so the pack runs with its python3.
set -euo pipefail

: "${ACTION_PATH:?ACTION_PATH is not set}"
: "${VENV:?VENV is not set}"
python="${PYTHON:-python3}"
want=$("$python" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' \
  "$ACTION_PATH/pyproject.toml")
bin="$VENV/bin/launchready"

have=""
if [ -x "$bin" ]; then
  have=$("$bin" --version 2>/dev/null | awk '{print $2}') || have=""
fi
if [ "$have" = "$want" ]; then
  echo "launchready $have already installed in $VENV"
else
  echo "installing launchready $want into $VENV"
  "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  # The gate plans the stack and runs the webhook contract: the deploy and sandbox extras (docs/install.md).
  "$VENV/bin/python" -m pip install --quiet -c "$ACTION_PATH/constraints.txt" "${ACTION_PATH}[deploy,sandbox]"
fi
"$bin" --version
pack=$("$VENV/bin/python" -c 'import pathlib, launchready.policy as p; print(pathlib.Path(p.__file__).parent)')
# Later steps (pulumi preview/up --policy-pack) run the pack with the python3 on PATH: this venv's.
echo "$VENV/bin" >> "${GITHUB_PATH:-/dev/null}"
{
  echo "bin=$bin"
  echo "python=$VENV/bin/python"
  echo "policy-pack=$pack"
} >> "${GITHUB_OUTPUT:-/dev/null}"
