#include "streams/blocked_socket.hpp"

#include <dirent.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vw::streams {
namespace {

struct BlockedCall {
  long number = -1;
  std::array<unsigned long, 6> args{};
};

bool read_call(pid_t tid, BlockedCall& call) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/syscall");
  std::string first;
  if (!(in >> first) || first == "running" || first.empty() || first[0] == '-') return false;
  try {
    call.number = std::stol(first);
    for (unsigned long& a : call.args) {
      std::string hex;
      if (!(in >> hex)) return false;
      a = std::stoul(hex, nullptr, 16);
    }
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

std::vector<int> candidate_fds(const BlockedCall& call) {
  std::vector<int> fds;
  const long n = call.number;
  bool polls = false;
#ifdef SYS_poll
  polls = polls || n == SYS_poll;
#endif
#ifdef SYS_ppoll
  polls = polls || n == SYS_ppoll;
#endif
  if (polls) {
    const std::size_t count = std::min<unsigned long>(call.args[1], 4);
    std::array<pollfd, 4> entries{};
    iovec local{entries.data(), count * sizeof(pollfd)};
    iovec remote{reinterpret_cast<void*>(call.args[0]), count * sizeof(pollfd)};
    if (count > 0 && process_vm_readv(getpid(), &local, 1, &remote, 1, 0) ==
                         static_cast<ssize_t>(count * sizeof(pollfd))) {
      for (std::size_t i = 0; i < count; ++i) fds.push_back(entries[i].fd);
    }
    return fds;
  }
  bool reads = n == SYS_read;
#ifdef SYS_recvfrom
  reads = reads || n == SYS_recvfrom;
#endif
#ifdef SYS_recvmsg
  reads = reads || n == SYS_recvmsg;
#endif
  if (reads) fds.push_back(static_cast<int>(call.args[0]));
  return fds;
}

bool is_tcp_to(int fd, std::uint16_t peer_port) {
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  int type = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM) return false;
  sockaddr_storage peer{};
  length = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return false;
  if (peer.ss_family == AF_INET)
    return ntohs(reinterpret_cast<sockaddr_in*>(&peer)->sin_port) == peer_port;
  if (peer.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6*>(&peer)->sin6_port) == peer_port;
  return false;
}

// The TCP sockets of this process to `peer_port`, by inode, with their fd now.
std::map<unsigned long, int> sockets_to(std::uint16_t peer_port) {
  std::map<unsigned long, int> out;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  const int own = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == own) continue;
    char target[64] = {};
    const std::string link = std::string("/proc/self/fd/") + entry->d_name;
    const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0 || std::string_view(target, static_cast<std::size_t>(n)).rfind("socket:[", 0) != 0)
      continue;
    if (!is_tcp_to(fd, peer_port)) continue;
    out[std::strtoul(target + 8, nullptr, 10)] = fd;
  }
  closedir(dir);
  return out;
}

bool sent_nothing(int fd) {
  tcp_info info{};
  socklen_t length = sizeof info;
  return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 && info.tcpi_bytes_sent == 0;
}

// Notes of who uses which socket: candidates per owner, and the sockets an owner found alone.
struct Notes {
  std::mutex mutex;
  std::map<std::uintptr_t, std::set<unsigned long>> candidates;
  std::map<unsigned long, std::uintptr_t> claimed;
};

Notes& notes() {
  static Notes* instance = new Notes;  // never destroyed: pipelines are torn down until the end
  return *instance;
}

// The one socket left of `owner`'s candidates once other owners' claims are excluded, if any.
std::optional<unsigned long> sole_candidate(Notes& n, std::uintptr_t owner,
                                            const std::map<unsigned long, int>& alive) {
  std::optional<unsigned long> sole;
  for (unsigned long inode : n.candidates[owner]) {
    auto claim = n.claimed.find(inode);
    if (!alive.count(inode) || (claim != n.claimed.end() && claim->second != owner)) continue;
    if (sole) return std::nullopt;  // two left: cannot tell
    sole = inode;
  }
  return sole;
}

int cut_blocked_socket(pid_t tid, std::uint16_t peer_port) {
  BlockedCall call;
  if (!read_call(tid, call)) return -1;
  for (int fd : candidate_fds(call)) {
    if (!is_tcp_to(fd, peer_port)) continue;
    // Still in the same call: the fd read above is the one it waits on, not a reused number.
    BlockedCall again;
    if (!read_call(tid, again) || again.number != call.number || again.args != call.args) return -1;
    if (::shutdown(fd, SHUT_RDWR) == 0) return fd;
  }
  return -1;
}

}  // namespace

void note_connection(std::uintptr_t owner, std::uint16_t peer_port) {
  Notes& n = notes();
  std::lock_guard lock(n.mutex);
  const std::map<unsigned long, int> alive = sockets_to(peer_port);
  auto& mine = n.candidates[owner];
  for (unsigned long inode : mine) {  // the connection noted before is still in use: done
    auto claim = n.claimed.find(inode);
    if (alive.count(inode) && claim != n.claimed.end() && claim->second == owner) return;
  }
  for (const auto& [inode, fd] : alive) {
    if (!n.claimed.count(inode) && sent_nothing(fd)) mine.insert(inode);
  }
  std::erase_if(mine, [&](unsigned long inode) { return !alive.count(inode); });
  if (std::optional<unsigned long> sole = sole_candidate(n, owner, alive)) n.claimed[*sole] = owner;
}

bool cut_connection(std::uintptr_t owner, pid_t tid, std::uint16_t peer_port) {
  if (tid > 0 && cut_blocked_socket(tid, peer_port) >= 0) return true;
  Notes& n = notes();
  std::lock_guard lock(n.mutex);
  const std::map<unsigned long, int> alive = sockets_to(peer_port);
  std::optional<unsigned long> sole = sole_candidate(n, owner, alive);
  return sole && ::shutdown(alive.at(*sole), SHUT_RDWR) == 0;
}

void forget_connections(std::uintptr_t owner) {
  Notes& n = notes();
  std::lock_guard lock(n.mutex);
  n.candidates.erase(owner);
  std::erase_if(n.claimed, [&](const auto& entry) { return entry.second == owner; });
}

}  // namespace vw::streams
