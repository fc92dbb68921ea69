#!/usr/bin/env bash
# Decide whether this run needs the Firestore emulator (Java), and install it when asked to.
#   detect  -> output needed=true|false: the project has Firestore rules or a functions folder (the
#              rules-behaviour and webhook-contract checks run against the emulator) and the emulator
#              is not already on the machine; EMULATOR=install forces, EMULATOR=skip declines.
#   install -> apt-get install the emulator; a failure stops the job (never swallowed).
# Inputs (env): EMULATOR (auto|install|skip), PROJECT_DIR.
set -euo pipefail

mode="${1:?usage: emulator.sh detect|install}"
choice="${EMULATOR:-auto}"
project="${PROJECT_DIR:-.}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
jar() { dpkg -L google-cloud-cli-firestore-emulator 2>/dev/null | grep 'emulator.jar$' || true; }
present() { command -v java >/dev/null && [ -n "$(jar)${FIRESTORE_EMULATOR_JAR:-}" ]; }
uses_firestore() {
  find "$project" -maxdepth 3 \( -name '*.rules' -o -name functions \) -not -path '*/.git/*' -print -quit | grep -q .
}

case "$mode" in
  detect)
    case "$choice" in
      skip) needed=false; why="emulator: skip (emulator-backed checks skip; in strict mode that blocks unless waived)" ;;
      install) needed=true; why="emulator: install" ;;
      auto)
        if ! uses_firestore; then needed=false; why="no Firestore rules or functions in $(printf '%q' "$project")"
        elif present; then needed=false; why="Java and the emulator are already installed"
        else needed=true; why="Firestore rules/functions found and no emulator on this machine"; fi ;;
      *) echo "launchready action: emulator: expected auto, install or skip, got $(printf '%q' "$choice")" >&2; exit 2 ;;
    esac
    echo "emulator needed: $needed ($why)"
    echo "needed=$needed" >> "${GITHUB_OUTPUT:-/dev/null}"
    ;;
  install)
    if ! as_root apt-get install -y -qq google-cloud-cli-firestore-emulator; then
      echo "launchready action: could not install google-cloud-cli-firestore-emulator (is the Google Cloud apt" \
           "repository configured on this runner?); set 'emulator: skip' to run without it" >&2
      exit 1
    fi
    echo "emulator: $(jar)"
    ;;
  *) echo "usage: emulator.sh detect|install" >&2; exit 2 ;;
esac
