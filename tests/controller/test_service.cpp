// The daemon as a service (docs/service.md), on the real executable: systemd's notify protocol
// read from our own NOTIFY_SOCKET (READY with STATUS, WATCHDOG while alive, none while the render
// thread hangs, STOPPING), and /metrics, /healthz, /readyz read by real clients (Prometheus' own
// text parser, cpp-httplib), the figures checked against `status`. Loopback only; every wait is
// bounded.
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/api/api_client.hpp"
#include "controller/service/journal_log.hpp"
#include "controller/service/metrics_text.hpp"
#include "tests/controller/api_daemon.hpp"
#include "tests/support/eventually.hpp"

namespace vw::testing {
namespace {

using controller::api::ApiClient;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The metrics page as Prometheus' parser reads it (tests/controller/prometheus_scrape.py).
json scrape(const std::string& url) {
  const ProcessResult r =
      run_process("/usr/bin/python3", {PROMETHEUS_SCRAPE, url + "/metrics"}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  if (r.exit_code != 0) return json::object();
  return json::parse(r.output);
}

// The value of the sample `name` whose labels include `labels`; NaN when there is none.
double sample(const json& page, const std::string& name,
              const std::map<std::string, std::string>& labels = {}) {
  for (const auto& s : page["samples"]) {
    if (s["name"] != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) match = match && s["labels"].value(k, "") == v;
    if (match) return s["value"].is_null() ? std::nan("") : s["value"].get<double>();
  }
  return std::nan("");
}

struct Reply {
  int status = 0;
  std::string body;
};
Reply get(const std::string& url, const std::string& path) {
  httplib::Client client(url);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  auto res = client.Get(path);
  if (!res) return {};
  return {res->status, res->body};
}

TEST(JournalFields, StreamLinesCarryTheStreamAndCamera) {
  using controller::service::journal_fields;
  using Fields = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(journal_fields("stream minzu-01/main: playing H.264 1920x1080"),
            (Fields{{"STREAM", "minzu-01/main"}, {"CAMERA", "minzu-01"}}));
  EXPECT_EQ(journal_fields("stream 花楼街-03/sub: stalled: no frame"),
            (Fields{{"STREAM", "花楼街-03/sub"}, {"CAMERA", "花楼街-03"}}));
  EXPECT_TRUE(journal_fields("stream teardown: 'a/main' took 600 ms").empty());
  EXPECT_TRUE(journal_fields("API: requests on tcp://127.0.0.1:5560").empty());
  EXPECT_TRUE(journal_fields("stream /main: x").empty());
}

// Label values with quotes, backslashes and line feeds stay one well-formed sample.
TEST(PrometheusText, LabelValuesAreEscaped) {
  controller::service::MetricsInput in;
  in.channels.push_back(
      std::make_shared<streams::StreamChannel>("we\"ird\\cam\n/main", "rtsp://h/x", nullptr));
  const std::string text = controller::service::prometheus_text(in);
  EXPECT_NE(
      text.find(
          "videowall_stream_frames_total{camera=\"we\\\"ird\\\\cam\\n\",stream=\"main\"} 0\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE videowall_stream_frames_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("videowall_stream_recovery_seconds{camera="), std::string::npos);
}

TEST(Service, MetricsParseWithPrometheusAndAgreeWithStatus) {
  // Samples every 0.2 s, so the solid-colour cameras are diagnosed within a second or two.
  ApiDaemon d("metrics", "api: {anonymous_role: operator}\nquality: {interval_s: 0.2}\n");
  d.start();
  ASSERT_TRUE(eventually([&] { return get(d.metrics_url(), "/readyz").status == 200; }, 60s))
      << get(d.metrics_url(), "/readyz").body << d.process().log();
  EXPECT_EQ(get(d.metrics_url(), "/readyz").body, "ready\n");
  EXPECT_EQ(get(d.metrics_url(), "/healthz").status, 200);
  EXPECT_EQ(get(d.metrics_url(), "/nothing").status, 404);

  ApiClient client(d.client_options());
  ASSERT_TRUE(eventually(
      [&] {
        const json status = client.request({{"cmd", "status"}});
        int counted = 0;  // playing, counted in the statistics (once a second), diagnosed
        for (const auto& s : status["streams"])
          counted += s["state"] == "playing" && s.value("frames_in", 0) > 0 &&
                     s["quality"].is_object() && !s["quality"]["faults"].empty();
        return counted == 4;
      },
      30s, 100ms));
  // A refusal the metrics must count by its code.
  EXPECT_EQ(client.request({{"cmd", "no.such.command"}})["error"].value("code", ""),
            "unknown_command");
  const json status = client.request({{"cmd", "status"}});

  const json page = scrape(d.metrics_url());
  ASSERT_TRUE(page.contains("samples")) << page.dump();
  EXPECT_NE(page.value("content_type", "").find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_EQ(page["types"].value("videowall_stream_frames", ""), "counter");
  EXPECT_EQ(page["types"].value("videowall_stream_state", ""), "gauge");
  EXPECT_EQ(sample(page, "videowall_live"), 1);
  EXPECT_EQ(sample(page, "videowall_ready"), 1);
  EXPECT_EQ(sample(page, "videowall_wall_tiles", {{"layout", "2x2"}}), 4);
  EXPECT_EQ(sample(page, "videowall_wall_tiles_assigned"), 4);
  EXPECT_EQ(sample(page, "videowall_wall_tiles_playing"), 4);
  EXPECT_EQ(sample(page, "videowall_render_info", {{"path", status["render"].value("path", "")}}),
            1);
  EXPECT_GE(sample(page, "videowall_render_composites_total"),
            status["render"].value("frames_presented", 0.0));
  EXPECT_EQ(page["types"].value("videowall_render_composite_seconds", ""), "histogram");
  EXPECT_EQ(sample(page, "videowall_render_composite_seconds_count"),
            sample(page, "videowall_render_composites_total"));
  EXPECT_EQ(sample(page, "videowall_render_composite_seconds_bucket", {{"le", "+Inf"}}),
            sample(page, "videowall_render_composite_seconds_count"));
  EXPECT_GT(sample(page, "videowall_render_composite_seconds_sum"), 0);
  EXPECT_GE(sample(page, "videowall_api_requests_total"), 3);
  EXPECT_EQ(sample(page, "videowall_api_refusals_total", {{"code", "unknown_command"}}), 1);
  EXPECT_EQ(sample(page, "videowall_audit_ok"), 1);
  EXPECT_EQ(sample(page, "videowall_state_file_ok"), 1);
  ASSERT_EQ(status["streams"].size(), 4u);
  for (const auto& s : status["streams"]) {
    const std::string key = s["key"];
    const std::map<std::string, std::string> labels{{"camera", key.substr(0, key.find('/'))},
                                                    {"stream", key.substr(key.find('/') + 1)}};
    auto with_state = labels;
    with_state["state"] = "playing";
    EXPECT_EQ(sample(page, "videowall_stream_state", with_state), 1) << key;
    with_state["state"] = "stalled";
    EXPECT_EQ(sample(page, "videowall_stream_state", with_state), 0) << key;
    // Counters only grow: the page was read after the status.
    EXPECT_GE(sample(page, "videowall_stream_frames_total", labels), s.value("frames_in", 0.0))
        << key;
    EXPECT_GT(sample(page, "videowall_stream_frames_total", labels), 0) << key;
    EXPECT_EQ(sample(page, "videowall_stream_reconnects_total", labels),
              s.value("reconnects", -1.0))
        << key;
    auto info = labels;
    info["decoder"] = s.value("decoder", "");
    EXPECT_EQ(sample(page, "videowall_stream_info", info), 1) << key;
    // A solid colour that never changes: covered and frozen, in status and in the metrics.
    const auto faults = s["quality"]["faults"];
    for (const char* check : {"covered", "frozen", "blur", "black"}) {
      auto with_check = labels;
      with_check["check"] = check;
      const bool held = std::find(faults.begin(), faults.end(), check) != faults.end();
      EXPECT_EQ(sample(page, "videowall_stream_quality_fault", with_check), held ? 1 : 0)
          << key << " " << check << " " << faults.dump();
    }
    EXPECT_NE(std::find(faults.begin(), faults.end(), "covered"), faults.end()) << faults.dump();
  }
}

// A datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    ::unlink(path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << path;
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // The next message, or "" after `timeout`.
  std::string next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  }
  // Reads messages until one contains `text`, for at most `timeout`; returns it or "".
  std::string until(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      std::string m = next(std::max(left, 1ms));
      seen_ += m + "|";
      if (m.find(text) != std::string::npos) return m;
    }
    return "";
  }
  const std::string& seen() const { return seen_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string seen_;
};

// Environment for the daemon started next (fork inherits it); restored on destruction.
class ScopedEnv {
 public:
  ScopedEnv(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {
    for (const auto& [k, v] : vars_) ::setenv(k.c_str(), v.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [k, v] : vars_) ::unsetenv(k.c_str());
  }

 private:
  std::map<std::string, std::string> vars_;
};

TEST(Service, NotifiesSystemdAndWithholdsTheWatchdogWhileTheRenderThreadHangs) {
  ApiDaemon d("notify", "api: {anonymous_role: operator}\nservice: {watchdog_stuck_s: 1}\n");
  NotifySocket notify((d.dir() / "notify.sock").string());
  {
    ScopedEnv env({{"NOTIFY_SOCKET", (d.dir() / "notify.sock").string()},
                   {"WATCHDOG_USEC", "600000"},
                   {"VIDEOWALL_TEST_HOOKS", "1"}});
    d.start();
  }
  // READY=1 once the first composite is drawn, with the wall's figures as STATUS.
  const std::string ready = notify.until("READY=1", 60s);
  ASSERT_FALSE(ready.empty()) << notify.seen() << d.process().log();
  EXPECT_NE(ready.find("STATUS="), std::string::npos) << ready;
  EXPECT_NE(ready.find("路播放中，布局 2x2"), std::string::npos) << ready;
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(notify.until("WATCHDOG=1", 5s).empty()) << i << ": " << notify.seen();
  EXPECT_EQ(get(d.metrics_url(), "/healthz").status, 200);

  // The render thread held (as a hung driver would): /healthz names it, the log says so, and
  // the keep-alive stops, so systemd would restart the daemon.
  ::kill(d.process().pid(), SIGUSR2);
  ASSERT_TRUE(eventually([&] { return get(d.metrics_url(), "/healthz").status == 503; }, 10s))
      << d.process().log();
  EXPECT_EQ(get(d.metrics_url(), "/healthz").body, "stuck: render\n");
  EXPECT_EQ(get(d.metrics_url(), "/readyz").status, 503);
  EXPECT_TRUE(d.process().wait_for_log("watchdog: the render thread has made no progress", 5s));
  while (!notify.next(0ms).empty()) {
  }  // what was sent before the verdict
  // Ticks are 200 ms (a third of WATCHDOG_USEC): seven of them without a keep-alive.
  EXPECT_TRUE(notify.until("WATCHDOG=1", 1500ms).empty()) << notify.seen();

  // SIGTERM still ends it (the stall gives way to stop), with STOPPING=1.
  EXPECT_EQ(d.process().stop(20s), 0) << d.process().log();
  EXPECT_FALSE(notify.until("STOPPING=1", 5s).empty()) << notify.seen();
}

// systemctl reload = SIGHUP = config.reload: RELOADING=1 then READY=1, the new camera there, the
// reload audited by its origin; a bad file changes nothing and the daemon keeps running.
TEST(Service, SighupReloadsTheConfigAsConfigReloadDoes) {
  ApiDaemon d("sighup");
  NotifySocket notify((d.dir() / "notify.sock").string());
  {
    ScopedEnv env({{"NOTIFY_SOCKET", (d.dir() / "notify.sock").string()}});
    d.start();
  }
  ASSERT_FALSE(notify.until("READY=1", 60s).empty()) << notify.seen() << d.process().log();
  ApiClient client(d.client_options());
  auto cameras = [&] { return client.request({{"cmd", "cameras.list"}}).dump(); };
  EXPECT_EQ(cameras().find("红色二"), std::string::npos);

  d.write_config("api: {anonymous_role: operator}\n",
                 "  - {id: red2, name: 红色二, main: \"" + d.cameras().url("/red") + "\"}\n");
  ::kill(d.process().pid(), SIGHUP);
  EXPECT_FALSE(notify.until("RELOADING=1", 10s).empty()) << notify.seen();
  EXPECT_FALSE(notify.until("READY=1", 10s).empty()) << notify.seen();
  EXPECT_TRUE(d.process().wait_for_log("SIGHUP: config reloaded", 10s)) << d.process().log();
  EXPECT_NE(cameras().find("红色二"), std::string::npos);
  std::ifstream audit(d.audit_path());
  const std::string trail((std::istreambuf_iterator<char>(audit)), {});
  EXPECT_NE(trail.find("signal:SIGHUP"), std::string::npos);
  EXPECT_NE(trail.find("config.reload"), std::string::npos);

  std::ofstream(d.config_path()) << "cameras: [unclosed\n";
  ::kill(d.process().pid(), SIGHUP);
  EXPECT_TRUE(d.process().wait_for_log("SIGHUP: config not reloaded", 10s)) << d.process().log();
  EXPECT_NE(d.process().log().find("wall.yaml"), std::string::npos);
  EXPECT_FALSE(notify.until("READY=1", 10s).empty()) << notify.seen();
  EXPECT_NE(cameras().find("红色二"), std::string::npos);  // the last good config stays
  EXPECT_TRUE(d.process().running());
}

}  // namespace
}  // namespace vw::testing
