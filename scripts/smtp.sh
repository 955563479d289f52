#!/usr/bin/env bash
# Installs (once, cached) and starts a real SMTP server for the tests: aiosmtpd from PyPI with
# scripts/smtp_sink.py, which writes each message it accepts as a file into DIR/mail.
# Usage: scripts/smtp.sh install | start PORT DIR   (start prints the mail folder; the PID is in
# DIR/smtp.pid, the log in DIR/smtp.log)
set -euo pipefail
CACHE="${INTAKE_CACHE:-$HOME/.cache/intake}"
AIOSMTPD_VERSION=1.4.6
VENV="$CACHE/aiosmtpd"
HERE="$(cd "$(dirname "$0")" && pwd)"

install() {
  if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('aiosmtpd') != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    echo "smtp: installing aiosmtpd $AIOSMTPD_VERSION into $VENV" >&2
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION" >&2
  fi
}

start() {
  local port="$1" dir="$2"
  install
  mkdir -p "$dir/mail"
  # `exec` so the PID is the server's own and no shell keeps a caller's `$(...)` open.
  (exec "$VENV/bin/python" "$HERE/smtp_sink.py" "$port" "$dir/mail" >"$dir/smtp.log" 2>&1 </dev/null) &
  echo $! >"$dir/smtp.pid"
  for _ in $(seq 1 100); do
    if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1', $port), 1); sys.exit(0 if s.recv(3) == b'220' else 1)" 2>/dev/null; then
      echo "$dir/mail"
      return 0
    fi
    sleep 0.2
  done
  echo "smtp: did not become ready on port $port; its log:" >&2
  tail -n 30 "$dir/smtp.log" >&2
  return 1
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" ;;
  *) echo "usage: $0 install | start PORT DIR" >&2; exit 2 ;;
esac
