// ServerProbe: see server_probe.hpp.
//
// Threads: callers touch `requests`, `cancelled` and `outcomes` under `mutex` and write the
// eventfd; the probe thread (Impl::run) owns the sockets and the probes in flight.
#include "streams/server_probe.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace vw::streams {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kMaxReply = 4096;  // the status line must come within this many bytes

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

enum class Phase { Connecting, Sending, Reading };

struct Probe {
  std::string key;
  std::uint64_t ticket = 0;
  RtspAddress address;
  std::vector<sockaddr_storage> addresses;  // resolved; tried in order until one connects
  std::vector<socklen_t> lengths;
  std::size_t next_address = 0;
  Fd socket;
  Phase phase = Phase::Connecting;
  Clock::time_point started{}, deadline{};
  std::string request, reply;
  std::size_t sent = 0;
  std::string last_error;
  bool begun = false, done = false;
};

std::string errno_text(int error) {
  if (error == ECONNREFUSED) return "connection refused";
  if (error == ENETUNREACH || error == EHOSTUNREACH) return "unreachable";
  return std::strerror(error);
}

}  // namespace

struct ServerProbe::Impl {
  Impl(std::shared_ptr<Wakeup> done_, milliseconds timeout_)
      : done(std::move(done_)), timeout(timeout_), wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

  const std::shared_ptr<Wakeup> done;
  const milliseconds timeout;
  Fd wake;  // written by callers to interrupt poll()
  std::atomic<bool> stopping{false};

  std::mutex mutex;
  std::deque<Probe> requests;                    // new probes for the thread
  std::map<std::string, std::uint64_t> current;  // key -> ticket of its live probe
  std::map<std::string, ProbeOutcome> outcomes;  // finished, not taken
  std::uint64_t next_ticket = 1;

  std::thread thread;

  void notify_thread() {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake.get(), &one, sizeof one);
  }
  void run();
  void begin(Probe& probe);
  void connect_next(Probe& probe);
  void on_ready(Probe& probe, short revents);
  void finish(Probe& probe, bool answered, std::string detail);
};

void ServerProbe::Impl::begin(Probe& probe) {
  probe.begun = true;
  probe.started = Clock::now();
  probe.deadline = probe.started + timeout;
  probe.request = "OPTIONS " + probe.address.request_uri +
                  " RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: videowall-probe\r\n\r\n";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(probe.address.port);
  int rc = getaddrinfo(probe.address.host.c_str(), port.c_str(), &hints, &found);
  std::unique_ptr<addrinfo, AddrInfoDeleter> list(found);
  if (rc != 0) {
    probe.last_error = std::string("name lookup failed: ") + gai_strerror(rc);
    return;
  }
  for (addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
    sockaddr_storage storage{};
    std::memcpy(&storage, a->ai_addr, a->ai_addrlen);
    probe.addresses.push_back(storage);
    probe.lengths.push_back(a->ai_addrlen);
  }
  connect_next(probe);
}

// Starts a non-blocking connect to the next resolved address; with none left, the socket stays
// closed and the probe ends with the last error.
void ServerProbe::Impl::connect_next(Probe& probe) {
  probe.socket.reset();
  probe.phase = Phase::Connecting;
  while (probe.next_address < probe.addresses.size()) {
    const std::size_t i = probe.next_address++;
    const auto* address = reinterpret_cast<const sockaddr*>(&probe.addresses[i]);
    Fd fd(::socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
      probe.last_error = errno_text(errno);
      continue;
    }
    if (::connect(fd.get(), address, probe.lengths[i]) == 0 || errno == EINPROGRESS) {
      probe.socket = std::move(fd);
      return;
    }
    probe.last_error = errno_text(errno);
  }
}

void ServerProbe::Impl::on_ready(Probe& probe, short revents) {
  const int fd = probe.socket.get();
  if (probe.phase == Phase::Connecting) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error != 0) {
      probe.last_error = errno_text(error);
      connect_next(probe);
      return;
    }
    probe.phase = Phase::Sending;
  }
  if (probe.phase == Phase::Sending) {
    if ((revents & (POLLOUT | POLLERR | POLLHUP)) == 0) return;
    ssize_t n = ::send(fd, probe.request.data() + probe.sent, probe.request.size() - probe.sent,
                       MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      finish(probe, false, "send failed: " + errno_text(errno));
      return;
    }
    probe.sent += static_cast<std::size_t>(n);
    if (probe.sent == probe.request.size()) probe.phase = Phase::Reading;
    return;
  }
  if ((revents & (POLLIN | POLLERR | POLLHUP)) == 0) return;
  char buffer[1024];
  ssize_t n = ::recv(fd, buffer, std::min(sizeof buffer, kMaxReply - probe.reply.size()), 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    finish(probe, false, "receive failed: " + errno_text(errno));
    return;
  }
  if (n == 0) {
    finish(probe, false, "closed without a reply");
    return;
  }
  probe.reply.append(buffer, static_cast<std::size_t>(n));
  std::size_t eol = probe.reply.find("\r\n");
  if (eol == std::string::npos) {
    if (probe.reply.size() >= kMaxReply) finish(probe, false, "no status line in its reply");
    return;
  }
  std::string line = probe.reply.substr(0, std::min<std::size_t>(eol, 80));
  // "RTSP/1.0 200 OK": version, space, three digits.
  const bool rtsp = line.rfind("RTSP/1.", 0) == 0 && line.size() >= 12 && line[8] == ' ' &&
                    std::isdigit(static_cast<unsigned char>(line[9])) &&
                    std::isdigit(static_cast<unsigned char>(line[10])) &&
                    std::isdigit(static_cast<unsigned char>(line[11]));
  if (!rtsp) {
    finish(probe, false, "not an RTSP reply");
  } else {
    for (char& c : line) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    finish(probe, line.compare(9, 3, "503") != 0, line);
  }
}

void ServerProbe::Impl::finish(Probe& probe, bool answered, std::string detail) {
  probe.socket.reset();
  probe.done = true;
  ProbeOutcome outcome{answered, std::move(detail),
                       std::chrono::duration_cast<milliseconds>(Clock::now() - probe.started)};
  {
    std::lock_guard lock(mutex);
    auto it = current.find(probe.key);
    if (it == current.end() || it->second != probe.ticket) return;  // cancelled or replaced
    current.erase(it);
    outcomes[probe.key] = std::move(outcome);
  }
  done->notify();
}

void ServerProbe::Impl::run() {
  std::vector<Probe> probes;
  std::vector<pollfd> fds;
  while (!stopping.load()) {
    {
      std::lock_guard lock(mutex);
      for (Probe& p : requests) probes.push_back(std::move(p));
      requests.clear();
      // Drops probes that were cancelled or replaced.
      std::erase_if(probes, [&](const Probe& p) {
        auto it = current.find(p.key);
        return it == current.end() || it->second != p.ticket;
      });
    }
    const Clock::time_point now = Clock::now();
    for (Probe& p : probes) {
      if (!p.begun) begin(p);
      if (p.done) continue;
      if (p.socket.get() < 0) {
        finish(p, false, p.last_error.empty() ? "no address to connect to" : p.last_error);
      } else if (now >= p.deadline) {
        finish(p, false,
               std::string(p.phase == Phase::Connecting ? "no connection" : "no reply") +
                   " within " + std::to_string(timeout.count()) + " ms");
      }
    }
    std::erase_if(probes, [](const Probe& p) { return p.done; });

    fds.clear();
    fds.push_back({wake.get(), POLLIN, 0});
    Clock::time_point next = Clock::now() + milliseconds(1000);
    for (const Probe& p : probes) {
      fds.push_back(
          {p.socket.get(), static_cast<short>(p.phase == Phase::Reading ? POLLIN : POLLOUT), 0});
      next = std::min(next, p.deadline);
    }
    const auto wait = std::chrono::duration_cast<milliseconds>(next - Clock::now()).count();
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait, 0) + 1));
    if (ready <= 0) continue;
    if (fds[0].revents != 0) {
      std::uint64_t value = 0;
      [[maybe_unused]] ssize_t n = ::read(wake.get(), &value, sizeof value);
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents != 0 && !probes[i - 1].done) on_ready(probes[i - 1], fds[i].revents);
    }
  }
}

ServerProbe::ServerProbe(std::shared_ptr<Wakeup> done, milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(done), timeout)) {
  if (impl_->wake.get() < 0) throw std::runtime_error("server probe: eventfd failed");
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

ServerProbe::~ServerProbe() {
  impl_->stopping.store(true);
  impl_->notify_thread();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void ServerProbe::start(const std::string& key, const RtspAddress& address) {
  {
    std::lock_guard lock(impl_->mutex);
    Probe probe;
    probe.key = key;
    probe.ticket = impl_->next_ticket++;
    probe.address = address;
    impl_->current[key] = probe.ticket;
    impl_->outcomes.erase(key);
    impl_->requests.push_back(std::move(probe));
  }
  impl_->notify_thread();
}

void ServerProbe::cancel(const std::string& key) {
  std::lock_guard lock(impl_->mutex);
  impl_->current.erase(key);
  impl_->outcomes.erase(key);
  std::erase_if(impl_->requests, [&](const Probe& p) { return p.key == key; });
}

std::optional<ProbeOutcome> ServerProbe::take(const std::string& key) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->outcomes.find(key);
  if (it == impl_->outcomes.end()) return std::nullopt;
  ProbeOutcome outcome = std::move(it->second);
  impl_->outcomes.erase(it);
  return outcome;
}

}  // namespace vw::streams
