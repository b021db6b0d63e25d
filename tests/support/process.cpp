#include "tests/support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace vw::testing {
namespace {

using Clock = std::chrono::steady_clock;

pid_t spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::string& log_path) {
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    if (getppid() != parent) _exit(127);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ListeningChild spawn_listening(const std::vector<std::string>& args,
                               std::chrono::steady_clock::time_point deadline) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("spawn_listening: pipe failed");
  const pid_t parent = getpid();
  ListeningChild attempt;
  attempt.pid = fork();
  if (attempt.pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error("spawn_listening: fork failed");
  }
  if (attempt.pid == 0) {
    // Child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test leaves no server behind
    if (getppid() != parent) _exit(127);
    dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC; stderr stays the test's stderr
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[256];
  while (attempt.port == 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child exited (or closed stdout)
    attempt.output.append(buf, static_cast<std::size_t>(n));
    const auto pos = attempt.output.find("LISTENING ");
    if (pos != std::string::npos && attempt.output.find('\n', pos) != std::string::npos) {
      attempt.port = std::atoi(attempt.output.c_str() + pos + 10);
    }
  }
  close(fds[0]);  // the server prints nothing else on stdout
  return attempt;
}

int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r < 0 && errno != EINTR) return -1;  // not our child (or already reaped)
    if (Clock::now() > until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

namespace {

int free_port(int type, const char* who) {
  int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(std::string(who) + ": no port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

int free_tcp_port() {
  return free_port(SOCK_STREAM, "free_tcp_port");
}

int free_udp_port() {
  return free_port(SOCK_DGRAM, "free_udp_port");
}

ProcessResult run_process(const std::string& binary, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout) {
  static int counter = 0;
  auto log = "/tmp/vw-run-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + ".log";
  const pid_t pid = spawn(binary, args, log);
  ProcessResult result;
  result.exit_code = wait_exit(pid, timeout);
  result.output = read_file(log);
  ::unlink(log.c_str());
  return result;
}

DaemonProcess::DaemonProcess(std::string binary, std::vector<std::string> args,
                             std::string log_path)
    : binary_(std::move(binary)), args_(std::move(args)), log_path_(std::move(log_path)) {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) kill_hard();
}

void DaemonProcess::start() {
  pid_ = spawn(binary_, args_, log_path_);
}

bool DaemonProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

bool DaemonProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (log().find(text) != std::string::npos) return true;
    if (pid_ <= 0 || ::kill(pid_, 0) != 0) return log().find(text) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void DaemonProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int DaemonProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int code = wait_exit(pid_, timeout);  // SIGKILL after `timeout`
  pid_ = -1;
  return code;
}

std::string DaemonProcess::log() const {
  return read_file(log_path_);
}

}  // namespace vw::testing
