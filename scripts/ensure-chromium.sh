#!/bin/sh
# Make sure Debian's Chromium is installed at /usr/bin/chromium, for the review UI's browser tests.
# Idempotent: does nothing when it is already there. Browser downloads (playwright install) are
# not used: the tests drive this system Chromium.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-chromium: $CHROMIUM is missing and installing it needs root." >&2
    echo "ensure-chromium: run 'sudo apt-get update && sudo apt-get install -y chromium'," >&2
    echo "ensure-chromium: or the browser tests will be skipped." >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: $CHROMIUM is missing and this system has no apt-get;" >&2
    echo "ensure-chromium: install Chromium by hand, or the browser tests will be skipped." >&2
    exit 1
fi

echo "ensure-chromium: installing Chromium with apt-get (once)..."
if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }; then
    echo "ensure-chromium: apt-get could not install chromium; the browser tests will be skipped." >&2
    exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: chromium installed but $CHROMIUM is still missing." >&2
    exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) is ready."
