#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image (an Ubuntu image,
# with the internet). It installs a Python >= 3.11 and the course's pinned packages into
# $ROOT/venv, bubblewrap if the image has it, and a copy of the course every user may read.
# Written by `gdcourse autograder`; every package it installs is pinned in course/constraints.txt.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
export DEBIAN_FRONTEND=noninteractive

new_enough() {  # a Python of at least 3.11
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

apt-get update
PY=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && new_enough "$candidate"; then
    PY="$(command -v "$candidate")"
    break
  fi
done
if [ -z "$PY" ]; then
  # Ubuntu 22.04 ships Python 3.10; its universe component has 3.11, else the deadsnakes archive.
  if ! apt-get install -y python3.11 python3.11-venv; then
    apt-get install -y software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y python3.11 python3.11-venv
  fi
  PY="$(command -v python3.11)"
fi
# Debian and Ubuntu keep venv's pip installer in a package of its own.
if ! "$PY" -c 'import ensurepip' 2>/dev/null; then
  apt-get install -y "$(basename "$PY")-venv"
fi
# The sandbox; inside Gradescope's container it may be unable to run, which run_autograder
# detects (the kernel then runs as an unprivileged user instead).
apt-get install -y bubblewrap || echo "note: bubblewrap is not available on this image"

rm -rf "$ROOT/venv" "$ROOT/course"
"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --disable-pip-version-check --no-cache-dir \
  -c "$SRC/course/constraints.txt" -r "$SRC/course/requirements.txt"
# The course where the kernel's unprivileged user can read it; source/ (the hidden checks) is
# made root's alone when a submission is graded.
cp -R "$SRC/course" "$ROOT/course"
chmod -R a+rX,go-w "$ROOT/course" "$ROOT/venv"
chmod 0755 "$ROOT"
PYTHONPATH="$ROOT/course" "$ROOT/venv/bin/python" -P -s -m gdcourse.instructor.gradescope --check
