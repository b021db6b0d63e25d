// A real RTSP server (videowall-camsim, gst-rtsp-server) in a child process on 127.0.0.1, for
// tests that need a camera to die (SIGKILL), freeze with its TCP connection open (SIGSTOP), or
// come back on the same port. Every wait is bounded; the destructor kills the child.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vw::testing {

struct SimCameraSpec {
  std::string mount;      // "/red"
  std::uint32_t rgb = 0;  // solid colour 0xRRGGBB
  int width = 320;
  int height = 240;
  std::string codec = "h264";  // "h264" or "h265"
  int fps = 25;
};

// A street scene, clean or with a defect from `onset_s` on (streams/sim/sim_scene.hpp).
struct SimSceneSpec {
  std::string mount;  // "/blur"
  std::string defect = "none";
  int onset_s = 0;
  int width = 320;
  int height = 180;
  int fps = 25;
  bool clock = false;  // the wall clock burnt in (streams/sim/clock_stamp.hpp)
};

class CamsimProcess {
 public:
  CamsimProcess(std::vector<SimCameraSpec> cameras, std::string user = {},
                std::string password = {});
  explicit CamsimProcess(std::vector<SimSceneSpec> scenes) : scenes_(std::move(scenes)) {}
  // Also serves `file` (H.264 .mp4, e.g. a demo clip) looped at `mount`; before start().
  void add_clip(std::string mount, std::string file) {
    clips_.push_back(std::move(mount) + "=" + std::move(file));
  }
  ~CamsimProcess();
  CamsimProcess(const CamsimProcess&) = delete;
  CamsimProcess& operator=(const CamsimProcess&) = delete;

  // Spawns the server (on the previous port if it ran before, else a free one) and waits at most
  // 20 s until it listens. Throws std::runtime_error with the child's output on failure.
  void start();
  void kill();    // SIGKILL and reap: the camera dies, its TCP connections close
  void pause();   // SIGSTOP: the camera goes silent but its TCP connections stay open
  void resume();  // SIGCONT
  bool running() const { return pid_ > 0; }

  int port() const { return port_; }
  // rtsp://[user:password@]127.0.0.1:<port><mount>
  std::string url(const std::string& mount, bool with_credentials = true) const;

 private:
  std::vector<SimCameraSpec> cameras_;
  std::vector<SimSceneSpec> scenes_;
  std::vector<std::string> clips_;  // "/mount=PATH"
  std::string user_, password_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vw::testing
