#!/usr/bin/env bash
# The first step of `npm test`: the Redis tests start their own redis-server from PATH, so make sure there is one.
# - redis-server on PATH: nothing to do, nothing printed.
# - otherwise, when packages can be installed here (as root, or `sudo -n true` works) and apt-get exists: install
#   Debian's redis-server package, and say so.
# - otherwise: stop at once (exit 1), printing the command to run. Never a silent skip.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then exit 0; fi

say() { echo "require-redis: $*" >&2; }

say "npm test needs redis-server on PATH (the Redis tests start their own on 127.0.0.1); there is none."

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
      sudo="sudo"
    else
      say "installing it needs root. Run this, then npm test again:"
      say "  sudo apt-get install -y redis-server"
      exit 1
    fi
  fi
  say "installing it: ${sudo:+$sudo }apt-get update, then ${sudo:+$sudo }apt-get install -y redis-server"
  if ! { $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; }; then
    say "apt-get failed (above). Install redis-server, then run npm test again."
    exit 1
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    say "apt-get installed redis-server, but it is not on PATH"
    exit 1
  fi
  say "installed: $(redis-server --version)"
  exit 0
fi

say "install Redis with your system's package manager so that redis-server is on PATH, then run npm test again,"
say "e.g. brew install redis (macOS), sudo dnf install redis (Fedora), sudo apk add redis (Alpine)."
exit 1
