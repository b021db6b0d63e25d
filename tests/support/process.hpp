// Child processes for tests that drive the real executables (videowall, wallctl): run one to
// completion with a timeout, or keep a daemon running and kill it (SIGTERM or SIGKILL). Output
// goes to a log file that the test can read at any time. Every wait is bounded.
// Threads: a DaemonProcess from one thread at a time (the test's); the free functions from any.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace vw::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or by the timeout
  std::string output;  // stdout + stderr
};

// Runs `binary args...` and waits at most `timeout` (then SIGKILL; exit_code -1).
ProcessResult run_process(const std::string& binary, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout);

// A server child that prints "LISTENING <port>" on stdout once it accepts connections
// (videowall-camsim, videowall-hostile-camera): spawned with `args` (args[0] is the binary), its
// stdout read until that line, EOF or `deadline`. port 0: it did not report in time (the caller
// kills and reaps pid). The child gets SIGKILL when the test process dies.
struct ListeningChild {
  pid_t pid = -1;
  int port = 0;
  std::string output;  // what it printed on stdout
};
ListeningChild spawn_listening(const std::vector<std::string>& args,
                               std::chrono::steady_clock::time_point deadline);

// Waits at most `timeout` for the child `pid` to exit, then SIGKILLs it; reaps it either way.
// Returns its exit code, or -1 (killed, by a signal or the timeout, or not a child).
int wait_exit(pid_t pid, std::chrono::milliseconds timeout);

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
int free_tcp_port();
// The same for UDP (an SRT listener).
int free_udp_port();

class DaemonProcess {
 public:
  DaemonProcess(std::string binary, std::vector<std::string> args, std::string log_path);
  ~DaemonProcess();  // SIGKILL if still running
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  void start();  // throws std::runtime_error if fork fails
  // Waits until the log contains `text`, the process exits, or the timeout passes.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const;
  void kill_hard();  // SIGKILL and reap
  // SIGTERM, then SIGKILL after `timeout`; returns the exit code (-1 if killed).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool running();
  std::string log() const;
  pid_t pid() const { return pid_; }

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace vw::testing
