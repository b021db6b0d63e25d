#!/usr/bin/env bash
# Builds the Debian package, build/package/videowall_<version>_amd64.deb, from build/ (configured
# and built here if needed; only what the package holds is built). Must run as root the first
# time (it installs what is missing, like the other scripts).
# Usage: scripts/package.sh [--chroot]
#   --chroot  also installs the package in a fresh Debian 12 root (debootstrap, from the Debian
#             mirror; a few minutes) and runs `videowall --version` there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -f build/CMakeCache.txt ] || bash scripts/configure.sh
cmake --build build -j"$(nproc)" --target videowall wallctl videowall-casesim videowall-camsim
mkdir -p build/package
cpack --config build/CPackConfig.cmake -B build/package > build/package/cpack.log 2>&1 \
  || { cat build/package/cpack.log; exit 1; }
deb="$(ls build/package/videowall_*_amd64.deb)"
echo "package.sh: $deb"
dpkg-deb --info "$deb" | sed -n 's/^ \(Version\|Depends\):/  \1:/p'

if [ "${1:-}" = --chroot ]; then
  command -v debootstrap > /dev/null || apt-get install -y -q --no-install-recommends debootstrap
  root="$(mktemp -d /var/tmp/videowall-chroot.XXXXXX)"
  trap 'umount "$root/proc" 2> /dev/null || true; rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
  cp "$deb" "$root/tmp/"
  mount -t proc proc "$root/proc"
  chroot "$root" sh -c "apt-get update -q && apt-get install -y -q /tmp/$(basename "$deb")"
  chroot "$root" videowall --version
  # What postinst set up: the user, and the modes docs/security.md asks for.
  chroot "$root" getent passwd videowall
  modes="$(chroot "$root" stat -c '%n %U:%G %a' /etc/videowall /etc/videowall/config.yaml \
    /var/lib/videowall)"
  echo "$modes"
  expected="/etc/videowall root:videowall 750
/etc/videowall/config.yaml root:videowall 640
/var/lib/videowall videowall:videowall 750"
  [ "$modes" = "$expected" ] || { echo "package.sh: unexpected owners or modes" >&2; exit 1; }
  echo "package.sh: installed and ran in a fresh Debian 12 root"
fi
