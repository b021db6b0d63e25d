// --demo: serves the config's cameras from an in-process loopback RTSP server, each from a clip
// encoded once into a cache (the camera's name burnt in) and looped, so the demo's CPU goes to
// the wall rather than to simulating cameras. Progress is shown while the first start builds
// the cache.
#pragma once

#include <memory>

#include "controller/core/config.hpp"

namespace vw::streams {
class SimCameraServer;
}

namespace vw::controller {

class DemoCameras {
 public:
  // Also starts the simulated case publisher (videowall-casesim, a child process) when the
  // config's case feed points at a loopback endpoint.
  // Throws std::runtime_error when a camera URL is not a loopback rtsp:// URL on one common
  // port, or when the server cannot listen there.
  explicit DemoCameras(const Config& config);
  ~DemoCameras();

 private:
  std::unique_ptr<streams::SimCameraServer> server_;
  int casesim_pid_ = -1;
};

}  // namespace vw::controller
