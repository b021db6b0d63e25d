// A hostile RTSP "camera" (videowall-hostile-camera, one misbehaviour per process: see its
// hostile_camera_main.cpp for the roles) in a child process on 127.0.0.1. Every wait is bounded;
// the destructor kills the child.
// Threads: one thread at a time (the test's).
#pragma once

#include <sys/types.h>

#include <string>

namespace vw::testing {

class HostileCameraProcess {
 public:
  explicit HostileCameraProcess(std::string role) : role_(std::move(role)) {}
  ~HostileCameraProcess();
  HostileCameraProcess(const HostileCameraProcess&) = delete;
  HostileCameraProcess& operator=(const HostileCameraProcess&) = delete;

  // Spawns it and waits at most 20 s until it listens; throws std::runtime_error otherwise.
  void start();
  void kill();  // SIGKILL and reap
  const std::string& role() const { return role_; }
  pid_t pid() const { return pid_; }
  std::string url() const;  // rtsp://127.0.0.1:<port>/cam

 private:
  std::string role_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vw::testing
