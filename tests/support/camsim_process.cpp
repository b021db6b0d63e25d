#include "tests/support/camsim_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "tests/support/process.hpp"

namespace vw::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string camera_arg(const SimCameraSpec& c) {
  char colour[8];
  std::snprintf(colour, sizeof colour, "%06x", static_cast<unsigned>(c.rgb & 0xffffffu));
  return c.mount + "=" + c.codec + ":" + std::to_string(c.width) + "x" + std::to_string(c.height) +
         "@" + std::to_string(c.fps) + ":" + colour;
}

// Percent-encodes what may not appear raw in the userinfo part of a URL.
std::string encode_userinfo(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || std::strchr("-._~!$&'()*+,;=", ch)) {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

void reap(pid_t pid) {
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

CamsimProcess::CamsimProcess(std::vector<SimCameraSpec> cameras, std::string user,
                             std::string password)
    : cameras_(std::move(cameras)), user_(std::move(user)), password_(std::move(password)) {}

CamsimProcess::~CamsimProcess() {
  kill();
}

void CamsimProcess::start() {
  if (pid_ > 0) return;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  std::vector<std::string> args{VIDEOWALL_CAMSIM_PATH, "--address", "127.0.0.1", "--port",
                                std::to_string(port_)};
  if (!user_.empty()) {
    args.push_back("--auth");
    args.push_back(user_ + ":" + password_);
  }
  for (const auto& c : cameras_) {
    args.push_back("--camera");
    args.push_back(camera_arg(c));
  }
  for (const auto& clip : clips_) {
    args.push_back("--clip");
    args.push_back(clip);
  }
  for (const auto& s : scenes_) {
    args.push_back("--scene");
    args.push_back(s.mount + "=" + std::to_string(s.width) + "x" + std::to_string(s.height) + "@" +
                   std::to_string(s.fps) + ":" + s.defect + "@" + std::to_string(s.onset_s) +
                   (s.clock ? "+clock" : ""));
  }
  // Reusing a port: the previous server's port may still be held for a moment (a connection in
  // TIME_WAIT does not block it, the server binds with SO_REUSEADDR, but another process might
  // grab it), so retry a failed bind for a few seconds.
  const auto retry_until = Clock::now() + std::chrono::seconds(port_ > 0 ? 5 : 0);
  while (true) {
    ListeningChild attempt = spawn_listening(args, deadline);
    if (attempt.port > 0) {
      pid_ = attempt.pid;
      port_ = attempt.port;
      return;
    }
    ::kill(attempt.pid, SIGKILL);
    reap(attempt.pid);
    if (Clock::now() >= retry_until || Clock::now() >= deadline) {
      throw std::runtime_error("videowall-camsim did not report LISTENING within 20 s; stdout: '" +
                               attempt.output + "' (its stderr is in the test log)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

void CamsimProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);  // also ends a SIGSTOPped child
  reap(pid_);
  pid_ = -1;
}

void CamsimProcess::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void CamsimProcess::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::string CamsimProcess::url(const std::string& mount, bool with_credentials) const {
  std::string credentials;
  if (with_credentials && !user_.empty()) {
    credentials = encode_userinfo(user_) + ":" + encode_userinfo(password_) + "@";
  }
  return "rtsp://" + credentials + "127.0.0.1:" + std::to_string(port_) + mount;
}

}  // namespace vw::testing
