#!/usr/bin/env bash
# Installs every Debian 12 package videowall needs to build, run and test.
# Idempotent: apt-get skips what is already there. Must run as root.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format
  clang libclang-rt-14-dev  # libFuzzer + sanitizers for scripts/fuzz.sh
  # GStreamer: core, RTSP server, codecs (x264 in ugly, x265 in bad, libav decoders)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools
  gstreamer1.0-x  # textoverlay/timeoverlay for the demo clips' burnt-in names
  # WebRTC viewers of the outputs (WHEP): webrtcbin's headers, libnice (ICE) and its plugin
  libgstreamer-plugins-bad1.0-dev libnice-dev gstreamer1.0-nice
  # OpenGL: GLFW window, EGL for headless, libepoxy for entry points, Mesa llvmpipe, Xvfb
  libglfw3-dev libimgui-dev libepoxy-dev libegl-dev libgl-dev libegl-mesa0 libgl1-mesa-dri xvfb xauth
  # text and images: FreeType + fontconfig with the Noto CJK fonts, libpng for snapshots
  libfreetype-dev libfontconfig-dev fonts-noto-cjk libpng-dev
  # support libraries and tests
  libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libcli11-dev
  libzmq3-dev cppzmq-dev libsodium-dev  # ZeroMQ with CURVE; libsodium also for SHA-256
  libjpeg-dev  # JPEG snapshots in API replies
  libssl-dev openssl  # OpenSSL 3: HMAC-SM3 over the audit trail; its CLI checks our MAC in tests
  libopencv-imgproc-dev libswscale-dev  # software render path: tiles scaled on streaming threads
  libsystemd-dev libcpp-httplib-dev  # systemd notify + watchdog; the HTTP metrics endpoint
  systemd dpkg-dev  # systemd-analyze verify of the units; dpkg-shlibdeps for the .deb (cpack)
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-prometheus-client  # tests parse /metrics with Prometheus' own text parser
  ffmpeg  # ffprobe and ffmpeg: real clients of the outputs in the tests (RTSP, SRT, RTMP)
  nginx libnginx-mod-rtmp  # a real RTMP server on loopback for the RTMP push test
  chromium  # a real browser (headless) plays the WHEP output in the tests
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps.sh: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# nginx is here only as the RTMP server the tests start on loopback. Installing it starts and
# enables its system service (a web server on port 80 of every interface): stop and disable it
# when this script is what installed it.
for p in "${missing[@]}"; do
  if [ "$p" = nginx ] && [ -d /run/systemd/system ]; then
    systemctl disable --now nginx.service >/dev/null 2>&1 || true
    echo "install-deps.sh: nginx is only the tests' RTMP server: its service is stopped and disabled"
  fi
done
