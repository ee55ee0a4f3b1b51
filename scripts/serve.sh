#!/usr/bin/env bash
# `make run`: the web server in the foreground and, beside it, the worker that sends the queued
# emails and reminders. Stopping the server (Ctrl-C) stops the worker too.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/backcare worker --verbosity 0 &
worker=$!
stop_worker() { kill "$worker" 2>/dev/null && wait "$worker" 2>/dev/null || true; }
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

$BIN/backcare runserver "${1:-127.0.0.1:8000}"
