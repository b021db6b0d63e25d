// The WebRTC (WHEP) sink of the live outputs end to end: a real daemon (four solid-colour cameras
// on 2x2) serves an output to browsers, and a real browser we did not write (Debian's chromium,
// headless) plays it: a probe page posts its offer to the WHEP endpoint, draws the video into a
// canvas and logs the tiles' colours; the daemon's own player page plays it too. The endpoint's
// refusals (token, content type, offers without H.264, a stopped output, the viewer bound) are
// checked over plain HTTP with a hand-written offer.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/controller/api_daemon.hpp"
#include "tests/controller/output_status.hpp"
#include "tests/support/chromium.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/whep_offer.hpp"

namespace vw::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kToken = "whep-token-jianghan-2026";

// The probe page: WHEP to ?endpoint with ?token, then every 300 ms a line
// "whep-probe: frame WxH RRGGBB ..." with the pixels at the tile centres (?points=x,y;x,y...).
const std::string kProbePage = std::string("<!doctype html><html><body><script>") + kWhepPlayJs +
                               R"JS(
"use strict";
const q = new URLSearchParams(location.search);
const points = q.get("points").split(";").map((p) => p.split(",").map(Number));
const log = (text) => console.log("whep-probe: " + text);
const video = whepPlay(q.get("endpoint"), q.get("token"), log);
const canvas = document.createElement("canvas");
setInterval(() => {
  if (video.videoWidth === 0) return;
  canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  const c = canvas.getContext("2d", {willReadFrequently: true});
  c.drawImage(video, 0, 0);
  let line = "frame " + video.videoWidth + "x" + video.videoHeight;
  for (const [x, y] of points) {
    const d = c.getImageData(x, y, 1, 1).data;
    line += " " + ((d[0] << 16) | (d[1] << 8) | d[2]).toString(16).padStart(6, "0");
  }
  log(line);
}, 300);
</script></body></html>
)JS";

class OutputWhep : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    whep_port_ = free_tcp_port();
    daemon_ = new ApiDaemon(
        "whep",
        "api: {anonymous_role: operator}\n"
        "output_whep: {address: \"127.0.0.1:" +
            std::to_string(whep_port_) + "\", token: " + kToken +
            ", ice_addresses: [127.0.0.1], max_viewers: 2}\n"
            "outputs:\n"
            "  - {id: meeting, name: 视频会商, size: [320, 180], fps: 10, sinks: [whep], start: "
            "true}\n");
    daemon_->start();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(daemon_ && daemon_->process().running()); }

  static std::string base() { return "http://127.0.0.1:" + std::to_string(whep_port_); }
  static httplib::Client client() {
    httplib::Client c("127.0.0.1", whep_port_);
    c.set_read_timeout(20, 0);
    return c;
  }
  static httplib::Headers bearer(const std::string& token = kToken) {
    return {{"Authorization", "Bearer " + token}};
  }
  // Waits (bounded) until the output runs (it starts with the daemon, and a test restarts it).
  static bool runs() {
    return eventually(
        [&] { return output_of_status(*daemon_, "meeting").value("state", "") == "running"; }, 60s,
        100ms);
  }
  // Waits (bounded) until the output has `n` viewers in status.
  static bool viewers_become(int n, json& o) {
    return eventually(
        [&] {
          o = output_of_status(*daemon_, "meeting");
          return o.contains("whep") && o["whep"].value("viewers", -1) == n;
        },
        60s, 100ms);
  }

  static ApiDaemon* daemon_;
  static int whep_port_;
};
ApiDaemon* OutputWhep::daemon_ = nullptr;
int OutputWhep::whep_port_ = 0;

TEST_F(OutputWhep, AnOfferIsAnsweredWithMainProfileH264AndLoopbackCandidates) {
  auto c = client();
  ASSERT_TRUE(runs());
  auto res = c.Post("/meeting/whep", bearer(), whep_offer(), "application/sdp");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  ASSERT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/sdp");
  const std::string location = res->get_header_value("Location");
  EXPECT_TRUE(std::regex_match(location, std::regex("/meeting/whep/[0-9a-f]{32}"))) << location;
  const std::string& answer = res->body;
  // The browser's main-profile payload with packetization-mode 1, sent only.
  EXPECT_NE(answer.find("m=video 9 UDP/TLS/RTP/SAVPF 98"), std::string::npos) << answer;
  EXPECT_NE(answer.find("a=rtpmap:98 H264/90000"), std::string::npos) << answer;
  EXPECT_NE(answer.find("a=sendonly"), std::string::npos) << answer;
  // Every candidate is in the answer (no trickle), on the one address ICE was given.
  EXPECT_NE(answer.find("a=candidate:"), std::string::npos) << answer;
  EXPECT_NE(answer.find(" 127.0.0.1 "), std::string::npos) << answer;
  std::smatch m;
  std::string rest = answer;
  while (std::regex_search(rest, m, std::regex("a=candidate:\\S+ \\d+ \\S+ \\d+ (\\S+) "))) {
    EXPECT_EQ(m[1], "127.0.0.1") << answer;
    rest = m.suffix();
  }
  json o;
  EXPECT_TRUE(viewers_become(1, o)) << o.dump();
  EXPECT_EQ(o["whep"].value("max_viewers", 0), 2) << o.dump();
  EXPECT_EQ(o["whep"].value("url", ""), base() + "/meeting/") << o.dump();
  EXPECT_EQ(o["whep"].value("endpoint", ""), base() + "/meeting/whep") << o.dump();
  EXPECT_EQ(o.value("clients", -1), 1) << o.dump();
  EXPECT_EQ(o["sinks"], json::array({"whep"})) << o.dump();

  // The bound: a second viewer fits, a third is refused with why.
  auto second = c.Post("/meeting/whep", bearer(), whep_offer(), "application/sdp");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 201) << second->body;
  auto third = c.Post("/meeting/whep", bearer(), whep_offer(), "application/sdp");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 503) << third->body;
  EXPECT_NE(third->body.find("max_viewers"), std::string::npos) << third->body;

  // DELETE ends a session (as a WHEP client leaving); a second DELETE finds nothing.
  auto gone = c.Delete(location, bearer());
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 200) << gone->body;
  gone = c.Delete(location, bearer());
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404) << gone->body;
  gone = c.Delete(second->get_header_value("Location"), bearer());
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 200) << gone->body;
  EXPECT_TRUE(viewers_become(0, o)) << o.dump();
}

TEST_F(OutputWhep, TheEndpointRefusesWhatIsWrongAndSaysWhy) {
  ASSERT_TRUE(runs());
  auto c = client();
  auto res = c.Post("/meeting/whep", whep_offer(), "application/sdp");  // no token
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401) << res->body;
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer");
  res =
      c.Post("/meeting/whep", bearer("whep-token-jianghan-2025"), whep_offer(), "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401) << res->body;
  res = c.Post("/meeting/whep", bearer(), whep_offer(), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415) << res->body;
  res = c.Post("/meeting/whep", bearer(), "hello", "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_NE(res->body.find("not SDP"), std::string::npos) << res->body;
  res = c.Post("/meeting/whep", bearer(), whep_offer(false), "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_NE(res->body.find("H.264"), std::string::npos) << res->body;
  // SDP with H.264 but without ICE credentials or a DTLS fingerprint: webrtcbin refuses it.
  std::string bare = whep_offer();
  for (const char* line : {"a=ice-ufrag:Wq3x\r\n", "a=ice-pwd:5bWq3xK9tJr2pLm8nD4vC1zY\r\n"})
    bare.erase(bare.find(line), std::strlen(line));
  res = c.Post("/meeting/whep", bearer(), bare, "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_NE(res->body.find("the offer was refused"), std::string::npos) << res->body;
  res = c.Post("/elsewhere/whep", bearer(), whep_offer(), "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404) << res->body;
  res = c.Post("/meeting/whep", bearer(), std::string(100 * 1024, 'v'), "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413) << "an offer is bounded";
  // CORS preflight, for players served from elsewhere.
  res = c.Options("/meeting/whep");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_NE(res->get_header_value("Access-Control-Allow-Headers").find("Authorization"),
            std::string::npos);

  // A stopped output: 404 naming the command that starts it; the page is still there.
  auto r = daemon_->wallctl({"output", "stop", "meeting"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(eventually(
      [&] {
        res = c.Post("/meeting/whep", bearer(), whep_offer(), "application/sdp");
        return res && res->status == 404;
      },
      30s, 100ms));
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("wallctl output start meeting"), std::string::npos) << res->body;
  res = c.Get("/meeting/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("<title>视频会商 · 视频墙输出</title>"), std::string::npos);
  r = daemon_->wallctl({"output", "start", "meeting"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(runs());
  EXPECT_EQ(daemon_->process().running(), true);
}

TEST_F(OutputWhep, ABrowserPlaysTheOutputAndSeesEachTileWhereTheLayoutPutsIt) {
  ASSERT_TRUE(runs());
  const fs::path page = daemon_->dir() / "probe.html";
  std::ofstream(page) << kProbePage;
  std::string points;
  for (const TileCentre& centre : kHalfSizeTileCentres)
    points +=
        (points.empty() ? "" : ";") + std::to_string(centre.x) + "," + std::to_string(centre.y);
  Chromium browser(daemon_->dir() / "chromium-probe",
                   "file://" + page.string() + "?endpoint=" + base() +
                       "/meeting/whep&token=" + kToken + "&points=" + points);
  std::string seen;
  auto tiles_shown = [&] {
    const auto frames = browser.lines("whep-probe: frame ");
    if (frames.empty()) return false;
    // "320x180 ff0000 00ff00 0000ff ffffff": the colours in the order of the centres.
    std::istringstream in(frames.back());
    std::string size;
    in >> size;
    std::vector<std::uint32_t> colours;
    for (std::string hex; in >> hex;) colours.push_back(std::stoul(hex, nullptr, 16));
    if (size != "320x180" || colours.size() != std::size(kHalfSizeTileCentres)) {
      seen = frames.back();
      return false;
    }
    std::size_t i = 0;
    return tiles_at_half_size([&](int, int) { return colours[i++]; }, seen);
  };
  EXPECT_TRUE(eventually(tiles_shown, 90s, 200ms)) << seen << "\n"
                                                   << browser.tail() << daemon_->process().log();
  const auto posts = browser.lines("whep-probe: post ");
  ASSERT_FALSE(posts.empty()) << browser.tail();
  EXPECT_EQ(posts.front().substr(0, 3), "201") << posts.front();
  // A viewer that watches on stays a viewer: the frames keep coming 12 s on (40 more lines at
  // one each 300 ms), past the 10 s after which a silent viewer is dropped.
  const std::size_t lines = browser.lines("whep-probe: frame ").size();
  EXPECT_TRUE(eventually([&] { return browser.lines("whep-probe: frame ").size() >= lines + 40; },
                         60s, 200ms));
  EXPECT_TRUE(tiles_shown()) << seen;
  json o = output_of_status(*daemon_, "meeting");
  EXPECT_GE(o["whep"].value("viewers", 0), 1) << o.dump();
  EXPECT_EQ(browser.lines("whep-probe: connection failed").size(), 0u) << browser.tail();
  const auto list = daemon_->wallctl({"output", "list"});
  EXPECT_NE(list.output.find(base() + "/meeting/"), std::string::npos) << list.output;
}

TEST_F(OutputWhep, TheDaemonsOwnPlayerPagePlaysTheOutput) {
  ASSERT_TRUE(runs());
  {
    Chromium browser(daemon_->dir() / "chromium-page",
                     base() + "/meeting/?token=" + std::string(kToken));
    EXPECT_TRUE(eventually(
        [&] {
          for (const auto& line : browser.lines("videowall-whep: "))
            if (line == "playing 320x180") return true;
          return false;
        },
        90s, 200ms))
        << browser.tail() << daemon_->process().log();
  }
  // Every browser is gone (quit, not a DELETE): their places free by themselves.
  json o;
  const auto quit = std::chrono::steady_clock::now();
  EXPECT_TRUE(viewers_become(0, o)) << o.dump() << daemon_->process().log();
  std::printf("viewers gone %.1f s after the browser quit\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - quit).count());
}

}  // namespace
}  // namespace vw::testing
