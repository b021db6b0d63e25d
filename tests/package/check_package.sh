#!/usr/bin/env bash
# The Debian package as a user gets it (docs/service.md): cpack builds it from the build tree;
# dpkg-deb lists the FHS files, its control names the runtime libraries (dpkg-shlibdeps) and the
# plugin packages, its maintainer scripts are there; then, unpacked into a folder, the installed
# videowall runs: --version, and one headless composite from the packaged /etc config with the
# layouts beside it. (A fresh Debian root: scripts/package.sh --chroot, minutes, not in CI.)
# Usage: check_package.sh BUILD_DIR
set -uo pipefail
build="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_package.sh: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$tmp/out" > "$tmp/cpack.log" 2>&1 \
  || { cat "$tmp/cpack.log"; fail "cpack failed"; }
deb="$(ls "$tmp"/out/videowall_*_amd64.deb 2> /dev/null)" || fail "no videowall_*_amd64.deb made"
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

contents="$(dpkg-deb --contents "$deb")"
for f in ./usr/bin/videowall ./usr/bin/wallctl ./usr/bin/videowall-casesim \
  ./usr/bin/videowall-camsim ./usr/share/videowall/demo/config.yaml \
  ./usr/share/videowall/layouts/command-desk.yaml ./etc/videowall/config.yaml \
  ./etc/videowall/layouts/ring-6x6.yaml ./usr/lib/systemd/system/videowall.service \
  ./usr/lib/systemd/user/videowall-kiosk.service ./usr/share/doc/videowall/README.md \
  ./usr/share/doc/videowall/service.md; do
  grep -q " $f\$" <<< "$contents" || fail "$f is not in the package"
done
echo "contents: all expected files"
depends="$(dpkg-deb --field "$deb" Depends)"
for d in libgstreamer1.0-0 libzmq5 libglfw3 libsystemd0 libcpp-httplib0.11 gstreamer1.0-libav \
  gstreamer1.0-plugins-good fonts-noto-cjk libegl-mesa0; do
  grep -q "\b$d\b" <<< "$depends" || fail "Depends lacks $d: $depends"
done
echo "depends: $depends"
mkdir "$tmp/control"
dpkg-deb --control "$deb" "$tmp/control"
for f in postinst prerm postrm conffiles; do
  [ -f "$tmp/control/$f" ] || fail "control file $f missing"
done
grep -qx /etc/videowall/config.yaml "$tmp/control/conffiles" || fail "config.yaml not a conffile"

# Unpacked, the installed tree runs on its own files.
dpkg-deb --extract "$deb" "$tmp/root"
version="$("$tmp/root/usr/bin/videowall" --version)" || fail "videowall --version failed"
[[ "$version" == "videowall "* ]] || fail "videowall --version said: $version"
echo "$version"
"$tmp/root/usr/bin/videowall" --config "$tmp/root/etc/videowall/config.yaml" --headless \
  --state-dir "$tmp/state" --snapshot "$tmp/wall.png" --snapshot-after 1 --metrics off \
  --api-endpoint off --pub-endpoint off > "$tmp/run.log" 2>&1 \
  || { cat "$tmp/run.log"; fail "the packaged config did not run"; }
[ -s "$tmp/wall.png" ] || { cat "$tmp/run.log"; fail "no composite written"; }
echo "the packaged config runs: one composite written"
echo "not run here: installing into a fresh Debian 12 root (scripts/package.sh --chroot; minutes, network)"
