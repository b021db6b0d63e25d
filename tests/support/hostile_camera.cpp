#include "tests/support/hostile_camera.hpp"

#include <signal.h>

#include <chrono>
#include <stdexcept>

#include "tests/support/process.hpp"

namespace vw::testing {

HostileCameraProcess::~HostileCameraProcess() {
  kill();
}

void HostileCameraProcess::start() {
  if (pid_ > 0) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  ListeningChild child = spawn_listening(
      {VIDEOWALL_HOSTILE_CAMERA_PATH, "--role", role_, "--port", std::to_string(port_)}, deadline);
  if (child.port <= 0) {
    if (child.pid > 0) wait_exit(child.pid, std::chrono::milliseconds(0));
    throw std::runtime_error("videowall-hostile-camera --role " + role_ +
                             " did not report LISTENING within 20 s; stdout: '" + child.output +
                             "'");
  }
  pid_ = child.pid;
  port_ = child.port;
}

void HostileCameraProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit(pid_, std::chrono::seconds(5));
  pid_ = -1;
}

std::string HostileCameraProcess::url() const {
  return "rtsp://127.0.0.1:" + std::to_string(port_) + "/cam";
}

}  // namespace vw::testing
