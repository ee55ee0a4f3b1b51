#!/usr/bin/env bash
# Every check Backcare has: lint, types, import contracts, the whole test suite on SQLite, then
# again on PostgreSQL every test whose answer the database can change (tests/conftest.py).
# With CI=true a missing PostgreSQL or Chromium fails the run instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Python keeps what it compiles (Backcare's modules, and the test modules with pytest's assert
# rewriting) in __pycache__ folders, which git ignores. Some machines and CI images turn that
# off (PYTHONDONTWRITEBYTECODE); then every test process, and every command a test starts,
# compiled them all again: about 7 s a process.
unset PYTHONDONTWRITEBYTECODE
in_ci() { [ "${CI:-}" = "true" ]; }

# The browser tests run in Debian's chromium-headless-shell (tests/browser/conftest.py: the same
# Chromium, a third less processor time), or else in its full chromium.
has_chromium() { command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1; }
if ! command -v chromium-headless-shell >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== Installing Debian's chromium-headless-shell for the browser tests"
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; } ||
      echo "!! Could not install chromium-headless-shell." >&2
  fi
fi
if ! has_chromium; then
  if in_ci; then echo "Chromium is missing: the browser tests cannot run (CI=true)." >&2; exit 1; fi
  echo "!! Chromium is missing: browser tests will be skipped (install Debian's chromium-headless-shell)." >&2
fi

echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
echo "== import contracts (docs/architecture.md)"
$BIN/lint-imports --no-logo

# mypy checks the types beside the SQLite pass, and its answer is given, and counts, when that
# pass is over. Both cores are busy throughout (Chromium too), so this saves only the wait:
# about 10 seconds rather than the whole of a cold mypy's 20 or so.
mypy_log="$(mktemp)"
$BIN/mypy backcare tests bench >"$mypy_log" 2>&1 &
mypy_pid=$!
trap 'kill "$mypy_pid" 2>/dev/null || true; rm -f "$mypy_log"' EXIT

# Both cores (pytest-xdist; TEST_WORKERS=1 runs serially). Each worker has its own database.
# worksteal: a few tests take a minute or more (the demo clinic, the fuzzing of every form), so
# an idle worker takes waiting tests from the busy one rather than wait for it at the end.
workers=(-n "${TEST_WORKERS:-2}" --dist worksteal)
echo "== pytest on SQLite: every test (mypy beside it)"
env -u DATABASE_URL $BIN/pytest --create-db "${workers[@]}" "$@"
echo "== mypy"
if ! wait "$mypy_pid"; then cat "$mypy_log"; exit 1; fi
cat "$mypy_log"

pg_url="${DATABASE_URL:-}"
if [ -z "$pg_url" ] && $BIN/python - <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
except OSError:
    sys.exit(1)
PY
then
  pg_url="postgres://postgres@127.0.0.1:5432/backcare"
fi
if [ -n "$pg_url" ]; then
  echo "== pytest on PostgreSQL (throwaway test databases): the tests the database can change"
  DATABASE_URL="$pg_url" BACKCARE_DATABASE_TESTS_ONLY=true $BIN/pytest --create-db "${workers[@]}" "$@"
elif in_ci; then
  echo "PostgreSQL does not answer on 127.0.0.1:5432 and DATABASE_URL is not set (CI=true)." >&2
  exit 1
else
  echo "!! PostgreSQL not found: the suite ran on SQLite only." >&2
fi
