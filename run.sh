#!/usr/bin/env bash
# Executable documentation: how to install, test, lint, benchmark and run tactful.
#   ./run.sh serve   install (if needed) and run tactful with its demo data
#   ./run.sh test    install (if needed) with test extras and run the whole suite
#   ./run.sh lint    ruff check, ruff format --check, mypy
#   ./run.sh bench   the benchmarks under bench/ (see docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
PY=python3

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  "$VENV/bin/pip" install -q -e ".[$1]"
}

case "${1:-}" in
  serve)
    ensure_venv dev
    shift
    exec "$VENV/bin/tactful" serve --demo "$@"
    ;;
  test)
    ensure_venv dev
    shift
    exec "$VENV/bin/pytest" -n 2 -p no:cacheprovider "$@"
    ;;
  lint)
    ensure_venv dev
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy"
    ;;
  bench)
    ensure_venv dev
    shift
    exec "$VENV/bin/python" -m bench "$@"
    ;;
  *)
    echo "usage: ./run.sh serve|test|lint|bench" >&2
    exit 2
    ;;
esac
