#!/usr/bin/env bash
# test_link_needs: the tools link only what they use. Fails when a binary given here lists a
# shared library of the daemon's other rooms (GStreamer, GL/EGL, GLFW, ImGui, yaml-cpp, the
# software path's OpenCV and libswscale) as NEEDED.
set -euo pipefail
status=0
for binary in "$@"; do
  needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  if [ -z "$needed" ]; then
    echo "FAIL $binary: readelf found no NEEDED entries (not a dynamic executable?)"
    status=1
    continue
  fi
  bad=$(grep -E '^lib(gst|GL|EGL|epoxy|glfw|imgui|yaml-cpp|freetype|fontconfig|opencv|swscale|avutil)' <<<"$needed" || true)
  if [ -n "$bad" ]; then
    echo "FAIL $(basename "$binary") needs: $(tr '\n' ' ' <<<"$bad")"
    status=1
  else
    echo "ok   $(basename "$binary"): $(tr '\n' ' ' <<<"$needed")"
  fi
done
exit $status
