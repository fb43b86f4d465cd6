#!/usr/bin/env bash
# The generated TypeScript client, end to end: install the pinned packages (npm ci), generate the
# types from openapi/openapi.json, type-check the client and the offline-day scenario (tsc, strict),
# and play the offline day against the real server (target/debug/shegong, built here when cargo
# is at hand; SHEGONG_BIN names another) on a database of its own. Any failure fails the script.
#
# Settings (environment): TEST_DATABASE_URL (maintenance database, as for the Rust tests),
# SHEGONG_BIN (server binary), OFFLINE_DAY_ARGS (e.g. --rest-only).
set -euo pipefail

cd "$(dirname "$0")"
ROOT="$(cd ../.. && pwd)"

log() { printf '==> %s\n' "$*"; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "Node.js or npm is missing; installing them with apt-get"
    SUDO=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    fi
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
fi
log "node $(node --version), npm $(npm --version)"

if [ -z "${SHEGONG_BIN:-}" ]; then
    if command -v cargo >/dev/null 2>&1; then
        log "cargo build --locked --bin shegong"
        (cd "$ROOT" && cargo build --locked --bin shegong)
    elif [ ! -x "$ROOT/target/debug/shegong" ]; then
        echo "target/debug/shegong is missing and cargo is not on PATH" >&2
        exit 1
    fi
fi

log "npm ci"
npm ci --prefer-offline --no-audit --no-fund

log "npm run generate (src/schema.d.ts from openapi/openapi.json)"
npm run generate

log "npm run typecheck"
npm run typecheck

log "npm run offline-day ${OFFLINE_DAY_ARGS:-}"
# shellcheck disable=SC2086 # OFFLINE_DAY_ARGS is a list of words
npm run offline-day -- ${OFFLINE_DAY_ARGS:-}
