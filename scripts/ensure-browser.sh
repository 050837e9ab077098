#!/usr/bin/env bash
# Finds the Chromium that the browser test (test/reports/reportPage.browser.test.ts) drives through
# playwright-core, and installs Debian's chromium when there is none and this machine allows it.
# `npm test` runs it first, so a fresh clone needs no set-up by hand.
#
# Usage: scripts/ensure-browser.sh          find, else install (root with apt-get), else say what to install
#        scripts/ensure-browser.sh --find   find only: print the path on stdout, or say what to install
# Lookup order: $CHROMIUM_PATH (used as is, never second-guessed), then chromium, chromium-browser,
# google-chrome, google-chrome-stable on PATH. The browser test asks this script (--find), so both
# always agree on the browser.
# Exit status: 0 found (or installed), 1 none and none could be installed, 2 bad usage or CHROMIUM_PATH.
#
# Only bash builtins are used before apt-get, so the lookup works whatever PATH holds.
set -euo pipefail

log() { printf 'ensure-browser: %s\n' "$*" >&2; }

# A CHROMIUM_PATH that names no executable is a mistake to report, not a reason to look elsewhere.
check_chromium_path() {
  if [[ -n "${CHROMIUM_PATH:-}" && ! (-f "$CHROMIUM_PATH" && -x "$CHROMIUM_PATH") ]]; then
    log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file; point it at a Chromium or Chrome binary, or unset it"
    exit 2
  fi
}

# Prints the path of the first Chromium found; returns 1 when there is none.
find_chromium() {
  if [[ -n "${CHROMIUM_PATH:-}" ]]; then
    printf '%s\n' "$CHROMIUM_PATH"
    return 0
  fi
  local name found
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if found=$(type -P "$name"); then
      printf '%s\n' "$found"
      return 0
    fi
  done
  return 1
}

explain_missing() {
  log "no Chromium found for the browser test (test/reports/reportPage.browser.test.ts)."
  if type -P apt-get >/dev/null; then
    log "install Debian's chromium:  sudo apt-get update && sudo apt-get install -y chromium"
    log "(run as root, npm test does this itself)"
  else
    log "install Chromium or Google Chrome so that chromium, chromium-browser or google-chrome is on PATH"
  fi
  log "or set CHROMIUM_PATH to a Chromium or Chrome binary, e.g. CHROMIUM_PATH=/usr/bin/chromium npm test"
}

# apt-get's progress would bury the test output: it is kept and shown only when apt-get fails.
quiet_apt_get() {
  local output
  if ! output=$(DEBIAN_FRONTEND=noninteractive apt-get -q "$@" 2>&1); then
    printf '%s\n' "$output" >&2
    log "apt-get $* failed (output above)"
    exit 1
  fi
}

mode=${1:-}
case "$mode" in
  --find | "") ;;
  *) log "usage: scripts/ensure-browser.sh [--find]"; exit 2 ;;
esac
check_chromium_path

if [[ $mode == --find ]]; then
  find_chromium || { explain_missing; exit 1; }
  exit 0
fi

if ! browser=$(find_chromium); then
  if [[ $EUID -ne 0 ]] || ! type -P apt-get >/dev/null; then
    explain_missing
    exit 1
  fi
  log "no Chromium found; installing Debian's chromium (apt-get update, then apt-get install -y chromium)"
  quiet_apt_get update
  quiet_apt_get install -y chromium
  browser=$(find_chromium) || { log "apt-get installed chromium, yet no chromium is on PATH"; exit 1; }
fi
log "browser test uses $browser"
