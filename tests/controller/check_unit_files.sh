#!/usr/bin/env bash
# The shipped systemd units pass `systemd-analyze verify` with nothing to say: the system unit,
# and the kiosk user unit in a user manager of its own. ExecStart points at the built binary
# (verify checks that it exists; /usr/bin/videowall is where the package puts it).
# Usage: check_unit_files.sh SOURCE_DIR VIDEOWALL_BINARY
set -uo pipefail
src="$1"
bin="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! command -v systemd-analyze > /dev/null; then
  echo "check_unit_files.sh: systemd-analyze is missing (Debian package systemd)" >&2
  exit 1
fi
mkdir -m 700 "$tmp/run"
failed=0
for unit in videowall.service videowall-kiosk.service; do
  sed "s|/usr/bin/videowall|$bin|" "$src/assets/systemd/$unit" > "$tmp/$unit"
  mode=()
  [ "$unit" = videowall-kiosk.service ] && mode=(--user)
  out="$(XDG_RUNTIME_DIR="$tmp/run" systemd-analyze "${mode[@]}" verify "$tmp/$unit" 2>&1)"
  rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "$unit: systemd-analyze verify (exit $rc):"
    echo "$out"
    failed=1
  else
    echo "$unit: verified"
  fi
done
exit $failed
