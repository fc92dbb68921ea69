#!/usr/bin/env bash
# Run `launchready check` for one stack: the text report in the log, the chosen report files in
# REPORTS_DIR, the Markdown view appended to the GitHub step summary. The gate's exit code is an
# output (the action fails in its last step, after SARIF upload and the summary); a usage or config
# error (2) or a bug (3) fails here at once. The project, its stacks folder and app folder are what
# launchready resolves (`launchready project`): this script parses no YAML, so it cannot gate other
# stack files than the CLI (and Pulumi) would.
# Inputs (env): LAUNCHREADY, STACK, FORMATS, STRICT (auto|true|false), OFFLINE, APP_DIR, PROJECT_DIR,
#               REPORTS_DIR, EXTRA_ARGS.
set -euo pipefail

: "${LAUNCHREADY:?LAUNCHREADY is not set}"
: "${STACK:?the stack input is required}"
cd "${PROJECT_DIR:-.}"
reports="${REPORTS_DIR:-launchready-reports}"
mkdir -p "$reports"

args=(--project-dir . check --stack "$STACK" --format text)
case "${STRICT:-auto}" in
  true) args+=(--strict) ;;
  false) args+=(--allow-skips) ;;
  auto | "") ;;
  *) echo "launchready action: strict: expected auto, true or false, got $(printf '%q' "$STRICT")" >&2; exit 2 ;;
esac
if [ "${OFFLINE:-false}" = true ]; then args+=(--offline); fi
if [ -n "${APP_DIR:-}" ]; then args+=(--app-dir "$APP_DIR"); fi
# The project as launchready resolves it (Pulumi.yaml's stackConfigDir, appDir): logged, never re-parsed here.
"$LAUNCHREADY" --project-dir . project

declare -A ext=([json]=json [junit]=xml [markdown]=md [sarif]=sarif)
IFS=', ' read -r -a formats <<< "${FORMATS:-sarif,junit,json}"
[[ " ${formats[*]} " == *" markdown "* ]] || formats+=(markdown)   # the step summary
for fmt in "${formats[@]}"; do
  [ -n "$fmt" ] || continue
  if [ -z "${ext[$fmt]:-}" ]; then
    echo "launchready action: format: expected json, junit, markdown or sarif, got $(printf '%q' "$fmt")" >&2; exit 2
  fi
  args+=(--format "$fmt" --output "$reports/$STACK.${ext[$fmt]}")
  echo "$fmt=$PWD/$reports/$STACK.${ext[$fmt]}" >> "${GITHUB_OUTPUT:-/dev/null}"
done
read -r -a extra <<< "${EXTRA_ARGS:-}"

set +e
"$LAUNCHREADY" "${args[@]}" "${extra[@]}"
code=$?
set -e
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
if [ -f "$reports/$STACK.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$reports/$STACK.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [ "$code" -gt 1 ]; then
  exit "$code"
fi
