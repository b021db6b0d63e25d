// ServerProbe and rtsp_address: the cheap "does the camera's server answer?" question that the
// stream supervisor asks between rebuilds. Against a real RTSP server (videowall-camsim on
// 127.0.0.1), a closed port, a frozen server (SIGSTOP: the kernel accepts, nobody answers) and
// loopback listeners that answer with something other than RTSP. Every wait is bounded.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "streams/rtsp_url.hpp"
#include "streams/server_probe.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/eventually.hpp"

namespace vw::streams {
namespace {

using namespace std::chrono_literals;
using testing::CamsimProcess;
using testing::eventually;

TEST(RtspAddress, ParsesHostPortAndRequestUri) {
  auto a = rtsp_address("rtsp://admin:p@ss@10.1.2.3:8554/Streaming/Channels/101?x=1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "10.1.2.3");
  EXPECT_EQ(a->port, 8554);
  EXPECT_EQ(a->request_uri, "rtsp://10.1.2.3:8554/Streaming/Channels/101?x=1")
      << "credentials never go into a probe";
  a = rtsp_address("RTSP://cam.local/live");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "cam.local");
  EXPECT_EQ(a->port, 554);
  a = rtsp_address("rtspt://[::1]:9000/x");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 9000);
  a = rtsp_address("rtsp://[fe80::1]/x");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port, 554);
  EXPECT_FALSE(rtsp_address("srt://10.0.0.1:9000"));
  EXPECT_FALSE(rtsp_address("file:///tmp/x.mp4"));
  EXPECT_FALSE(rtsp_address("rtsp:///x"));
  EXPECT_FALSE(rtsp_address("rtsp://host:0/x"));
  EXPECT_FALSE(rtsp_address("rtsp://host:65536/x"));
  EXPECT_FALSE(rtsp_address("rtsp://host:55a/x"));
  EXPECT_FALSE(rtsp_address("rtsp://[::1/x"));
  EXPECT_FALSE(rtsp_address("not a url"));
}

// A loopback TCP listener whose one accepted connection gets `reply` (then stays open until the
// test ends), for servers that are not RTSP servers.
class OneShotListener {
 public:
  explicit OneShotListener(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("listener: cannot bind 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      char request[512];
      [[maybe_unused]] ssize_t n = ::recv(client, request, sizeof request, 0);
      if (!reply_.empty()) n = ::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      client_.store(client);
    });
  }
  ~OneShotListener() {
    ::shutdown(fd_, SHUT_RDWR);  // ends a pending accept()
    thread_.join();
    if (client_.load() >= 0) ::close(client_.load());
    ::close(fd_);
  }
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/x"; }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> client_{-1};
  std::thread thread_;
};

// Starts a probe and waits (bounded) for its outcome.
std::optional<ProbeOutcome> probe_once(ServerProbe& probe, const std::string& url) {
  auto address = rtsp_address(url);
  if (!address) return std::nullopt;
  probe.start("k", *address);
  std::optional<ProbeOutcome> outcome;
  eventually([&] { return (outcome = probe.take("k")).has_value(); }, 5s, 5ms);
  return outcome;
}

TEST(ServerProbe, RealServerAnswersClosedPortDoesNot) {
  CamsimProcess server({{"/cam", 0x00ff00, 320, 240, "h264", 25}});
  server.start();
  auto wake = std::make_shared<Wakeup>();
  ServerProbe probe(wake, 1000ms);
  std::optional<ProbeOutcome> outcome = probe_once(probe, server.url("/cam"));
  ASSERT_TRUE(outcome);
  EXPECT_TRUE(outcome->answered) << outcome->detail;
  EXPECT_EQ(outcome->detail.rfind("RTSP/1.0 200", 0), 0u) << outcome->detail;
  EXPECT_GE(wake->notifies(), 1u) << "the owner is woken when a probe ends";
  EXPECT_FALSE(probe.take("k")) << "an outcome is handed out once";

  server.kill();
  outcome = probe_once(probe, server.url("/cam"));
  ASSERT_TRUE(outcome);
  EXPECT_FALSE(outcome->answered);
  EXPECT_EQ(outcome->detail, "connection refused");
}

TEST(ServerProbe, FrozenServerTimesOutAndOthersAreNotHeldUp) {
  CamsimProcess frozen({{"/cam", 0x00ff00, 320, 240, "h264", 25}});
  frozen.start();
  frozen.pause();  // the kernel still completes the TCP handshake; no reply ever comes
  CamsimProcess live({{"/cam", 0xff0000, 320, 240, "h264", 25}});
  live.start();
  ServerProbe probe(std::make_shared<Wakeup>(), 1500ms);
  probe.start("frozen", *rtsp_address(frozen.url("/cam")));
  probe.start("live", *rtsp_address(live.url("/cam")));
  std::optional<ProbeOutcome> fast, slow;
  ASSERT_TRUE(eventually([&] { return (fast = probe.take("live")).has_value(); }, 5s, 5ms));
  EXPECT_TRUE(fast->answered) << fast->detail;
  ASSERT_TRUE(eventually([&] { return (slow = probe.take("frozen")).has_value(); }, 5s, 5ms));
  EXPECT_FALSE(slow->answered);
  EXPECT_EQ(slow->detail, "no reply within 1500 ms");
  EXPECT_GE(slow->took, 1400ms);
  EXPECT_LT(fast->took, slow->took) << "a probe does not wait for another one";
  frozen.resume();
}

TEST(ServerProbe, NonRtspRepliesAndServiceUnavailableAreNotAnswers) {
  ServerProbe probe(std::make_shared<Wakeup>(), 1000ms);
  {
    OneShotListener http("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    auto outcome = probe_once(probe, http.url());
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->answered);
    EXPECT_EQ(outcome->detail, "not an RTSP reply");
  }
  {
    OneShotListener busy("RTSP/1.0 503 Service Unavailable\r\nCSeq: 1\r\n\r\n");
    auto outcome = probe_once(probe, busy.url());
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->answered);
    EXPECT_EQ(outcome->detail, "RTSP/1.0 503 Service Unavailable");
  }
  {
    OneShotListener locked("RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n");
    auto outcome = probe_once(probe, locked.url());
    ASSERT_TRUE(outcome);
    EXPECT_TRUE(outcome->answered) << "a 401 is a server that is back";
  }
  {
    OneShotListener silent_close("");  // accepts, reads, then the test's end closes it
    auto address = rtsp_address(silent_close.url());
    probe.start("k", *address);
    std::optional<ProbeOutcome> outcome;
    eventually([&] { return (outcome = probe.take("k")).has_value(); }, 3s, 5ms);
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->answered);
  }
}

TEST(ServerProbe, CancelledAndReplacedProbesLeaveNoOutcome) {
  CamsimProcess server({{"/cam", 0x00ff00, 320, 240, "h264", 25}});
  server.start();
  server.pause();
  ServerProbe probe(std::make_shared<Wakeup>(), 800ms);
  auto address = *rtsp_address(server.url("/cam"));
  probe.start("k", address);
  probe.cancel("k");
  probe.start("j", address);
  probe.start("j", address);  // replaces the first: one outcome for "j"
  std::optional<ProbeOutcome> outcome;
  ASSERT_TRUE(eventually([&] { return (outcome = probe.take("j")).has_value(); }, 5s, 5ms));
  EXPECT_FALSE(outcome->answered);
  EXPECT_FALSE(eventually([&] { return probe.take("j").has_value(); }, 1200ms))
      << "the replaced probe left a second outcome";
  EXPECT_FALSE(probe.take("k")) << "a cancelled probe left an outcome";
  server.resume();
}

}  // namespace
}  // namespace vw::streams
