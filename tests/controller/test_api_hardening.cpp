// The control API hardened (MLPS 2.0 level 3, docs/security.md) on the real daemon: least
// privilege without CURVE, snapshot files and their quota, process limits, a connection flood,
// and endpoints that would listen on the network without CURVE. Loopback only; every wait is
// bounded.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "controller/api/api_client.hpp"
#include "tests/controller/api_daemon.hpp"
#include "tests/support/eventually.hpp"

namespace vw::testing {
namespace {

using controller::api::ApiClient;
using nlohmann::json;
using namespace std::chrono_literals;

// Least privilege without CURVE: a local client is a viewer unless the config says otherwise; a
// viewer sees the wall and gets snapshots in the reply, but writing a file on the daemon's disk is
// an operator's right, and the snapshot folder has a quota.
TEST(ApiHardening, AnonymousClientsAreViewersAndSnapshotFilesNeedAnOperator) {
  {
    ApiDaemon d("viewer", "storage: {snapshot_quota_mb: 1}\n");
    d.start();
    ApiClient client(d.client_options());
    EXPECT_EQ(client.request({{"cmd", "status"}}).value("ok", false), true);
    const json set = client.request({{"cmd", "layout.set"}, {"layout", "3x3"}});
    EXPECT_EQ(set["error"].value("code", ""), "forbidden") << set.dump();
    EXPECT_NE(set["error"].value("message", "").find("viewer"), std::string::npos) << set.dump();
    const json inline_shot = client.request({{"cmd", "snapshot"}});
    EXPECT_EQ(inline_shot.value("ok", false), true) << inline_shot.dump().substr(0, 300);
    EXPECT_FALSE(inline_shot.value("data", "").empty());
    const json file_shot = client.request({{"cmd", "snapshot"}, {"path", "a1.png"}});
    EXPECT_EQ(file_shot["error"].value("code", ""), "forbidden") << file_shot.dump();
    EXPECT_FALSE(fs::exists(d.dir() / "snapshots" / "a1.png"));
    EXPECT_EQ(state_get(client)["state"].value("layout", ""), "2x2");

    // A daemon facing the network: SIGPIPE ignored, open files at the hard limit.
    const std::string proc = "/proc/" + std::to_string(d.process().pid());
    std::string status = read_text(proc + "/status");
    const auto ignored = status.find("SigIgn:");
    ASSERT_NE(ignored, std::string::npos);
    const auto mask = std::stoull(status.substr(ignored + 7, 24), nullptr, 16);
    EXPECT_TRUE(mask & (1ull << (SIGPIPE - 1))) << status.substr(ignored, 30);
    std::istringstream limits(read_text(proc + "/limits"));
    for (std::string line; std::getline(limits, line);) {
      if (line.rfind("Max open files", 0) != 0) continue;
      std::istringstream fields(line.substr(14));
      std::string soft, hard;
      fields >> soft >> hard;
      EXPECT_EQ(soft, hard) << line;
    }
  }
  ApiDaemon d("quota", "api: {anonymous_role: operator}\nstorage: {snapshot_quota_mb: 1}\n");
  d.start();
  ApiClient client(d.client_options());
  const json first = client.request({{"cmd", "snapshot"}, {"path", "first.png"}});
  ASSERT_EQ(first.value("ok", false), true) << first.dump();
  const fs::path written = first.value("path", "");
  struct stat info {};
  ASSERT_EQ(::stat(written.c_str(), &info), 0) << written;
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  // The folder fills up to its quota: the next snapshot is refused by name, nothing is written.
  std::ofstream(d.dir() / "snapshots" / "filler.bin") << std::string(1024 * 1024, 'x');
  const json refused = client.request({{"cmd", "snapshot"}, {"path", "second.png"}});
  EXPECT_EQ(refused["error"].value("code", ""), "snapshot_failed") << refused.dump();
  EXPECT_NE(refused["error"].value("message", "").find("snapshot_quota_mb"), std::string::npos)
      << refused.dump();
  EXPECT_FALSE(fs::exists(d.dir() / "snapshots" / "second.png"));
  EXPECT_FALSE(fs::exists(d.dir() / "snapshots" / "second.png.part"));
}

// 1000 connections that never say a word (a scan, or an attempt to exhaust descriptors): the
// API keeps answering, and the daemon closes them once the handshake time is up.
TEST(ApiHardening, ConnectionFloodLeavesTheApiAnswering) {
  ApiDaemon d("flood");
  d.start();
  const std::string fd_dir = "/proc/" + std::to_string(d.process().pid()) + "/fd";
  auto open_fds = [&] {
    std::size_t n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(fd_dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
  };
  ApiClient client(d.client_options());
  // Counted once the four cameras play (their sockets and pipelines hold descriptors too).
  ASSERT_TRUE(eventually(
      [&] {
        const json status = client.request({{"cmd", "status"}});
        int playing = 0;
        for (const auto& tile : status.value("tiles", json::array()))
          playing += tile.value("state", "") == "playing";
        return playing == 4;
      },
      30s, 100ms));
  const std::size_t before = open_fds();

  rlimit files{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  const std::string endpoint = d.client_options().endpoint;
  const int port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  std::vector<int> sockets;
  for (int i = 0; i < 1000; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);  // in progress
    sockets.push_back(fd);
  }
  const json status = client.request({{"cmd", "status"}});
  EXPECT_EQ(status.value("ok", false), true) << status.dump().substr(0, 200);
  EXPECT_TRUE(eventually([&] { return open_fds() > before + 100; }, 10s))
      << "the flood never reached the daemon: " << open_fds() << " fds";
  // The handshake timeout (5 s; libzmq's default is 30 s) closes them while our ends are open.
  EXPECT_TRUE(eventually([&] { return open_fds() <= before + 10; }, 15s, 200ms))
      << open_fds() << " fds open, " << before << " before the flood";
  EXPECT_EQ(client.request({{"cmd", "status"}}).value("ok", false), true);
  for (int fd : sockets) ::close(fd);
}

TEST(ApiHardening, NonLoopbackWithoutCurveRefusedAtStart) {
  const auto dir = fs::temp_directory_path() / ("vw-api-nonloopback-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto config = dir / "wall.yaml";
  std::ofstream(config) << "wall: {width: 640, height: 360, layout: 2x2}\n"
                        << "cameras:\n"
                        << "  - {id: red, name: 红色, main: \"rtsp://127.0.0.1:9/red\"}\n"
                        << "api:\n"
                        << "  endpoint: \"tcp://0.0.0.0:" << free_tcp_port() << "\"\n"
                        << "  pub_endpoint: \"tcp://127.0.0.1:" << free_tcp_port() << "\"\n";
  auto r = run_process(VIDEOWALL_BIN,
                       {"--config", config.string(), "--headless", "--state-dir",
                        (dir / "state").string(), "--snapshot-dir", (dir / "snapshots").string()},
                       60s);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("api.endpoint"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("loopback"), std::string::npos) << r.output;

  // libzmq's "source;address" form passed a prefix check and listened on every interface.
  std::ofstream(config) << "wall: {width: 640, height: 360, layout: 2x2}\n"
                        << "cameras:\n"
                        << "  - {id: red, name: 红色, main: \"rtsp://127.0.0.1:9/red\"}\n";
  const std::string sneaky = "tcp://127.0.0.1:1;0.0.0.0:" + std::to_string(free_tcp_port());
  r = run_process(VIDEOWALL_BIN,
                  {"--config", config.string(), "--headless", "--api-endpoint", sneaky,
                   "--state-dir", (dir / "state").string()},
                  60s);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(sneaky + " is not a loopback address"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vw::testing
