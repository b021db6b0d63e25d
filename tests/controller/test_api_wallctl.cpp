// Every API command through the real wallctl against a running headless daemon: exit codes,
// output, and the wall's pixels (via snapshots) after layout and tile changes.
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/controller/api_daemon.hpp"
#include "tests/support/eventually.hpp"

namespace vw::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class Wallctl : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new ApiDaemon("wallctl", "api: {anonymous_role: admin}\n");
    daemon_->start();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(daemon_ && daemon_->process().running());
    // Every test starts from the same wall: 2x2 showing red, green, blue, white.
    ok({"restore"});
    ok({"tour", "stop"});
    ok({"layout", "set", "2x2"});
    const char* cameras[] = {"red", "green", "blue", "white"};
    for (int tile = 1; tile <= 4; ++tile) ok({"assign", std::to_string(tile), cameras[tile - 1]});
  }

  static ProcessResult ok(std::vector<std::string> args) {
    auto r = daemon_->wallctl(args);
    EXPECT_EQ(r.exit_code, 0) << "wallctl " << args[0] << ": " << r.output;
    return r;
  }
  static json state() {
    auto r = ok({"--json", "state"});
    return json::parse(r.output, nullptr, false)["state"];
  }

  // Takes snapshots until `expect` (pixel -> colour) holds, for up to 20 s: a camera's first
  // frame after a change takes a moment.
  static bool wall_shows(const std::vector<std::pair<std::pair<int, int>, std::uint32_t>>& expect,
                         std::string* last = nullptr) {
    auto path = (daemon_->dir() / "check.png").string();
    for (int attempt = 0; attempt < 40; ++attempt) {
      fs::remove(path);
      auto r = daemon_->wallctl({"snapshot", path});
      auto png = read_png_file(path);
      if (r.exit_code == 0 && png.width == 640 && png.height == 360) {
        bool all = true;
        std::string seen;
        for (const auto& [xy, colour] : expect) {
          auto got = png.rgb(xy.first, xy.second);
          all &= near_colour(got, colour);
          char text[32];
          std::snprintf(text, sizeof text, "(%d,%d)=%06x ", xy.first, xy.second, got);
          seen += text;
        }
        if (last) *last = seen;
        if (all) return true;
      }
      std::this_thread::sleep_for(500ms);
    }
    return false;
  }

  static ApiDaemon* daemon_;
};
ApiDaemon* Wallctl::daemon_ = nullptr;

// Tile centres of 2x2 on a 640x360 wall, a little below the middle (labels sit at the top).
constexpr std::pair<int, int> kTile[] = {{160, 110}, {480, 110}, {160, 290}, {480, 290}};

TEST_F(Wallctl, StatusCamerasAndLayoutsAnswer) {
  // The render path is chosen when the renderer's GL context is up, which may come after the API.
  json status;
  EXPECT_TRUE(eventually(
      [&] {
        status = json::parse(ok({"--json", "status"}).output, nullptr, false);
        return status.is_object() && !status["render"].value("path", "").empty();
      },
      std::chrono::seconds(30), std::chrono::milliseconds(100)))
      << status.dump().substr(0, 400);
  auto r = ok({"status"});
  EXPECT_NE(r.output.find("红色"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2x2"), std::string::npos) << r.output;
  status = json::parse(ok({"--json", "status"}).output, nullptr, false);
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["wall"]["layout"], "2x2");
  ASSERT_EQ(status["tiles"].size(), 4u);
  EXPECT_EQ(status["tiles"][0]["name"], "红色");
  EXPECT_GE(status["streams"].size(), 4u);
  const std::string path = status["render"].value("path", "");
  EXPECT_TRUE(path == "cpu" || path == "gpu") << "render.path: " << path;
  EXPECT_NE(r.output.find(path + " 路径"), std::string::npos) << r.output;
  EXPECT_NE(ok({"cameras"}).output.find("白色"), std::string::npos);
  auto layouts = json::parse(ok({"--json", "layout", "list"}).output, nullptr, false);
  EXPECT_EQ(layouts["current"], "2x2");
  EXPECT_GE(layouts["layouts"].size(), 8u);
}

TEST_F(Wallctl, AssignAndSwapShowTheCamerasInTheirTiles) {
  std::string seen;
  ASSERT_TRUE(wall_shows(
      {{kTile[0], kRed}, {kTile[1], kGreen}, {kTile[2], kBlue}, {kTile[3], kWhite}}, &seen))
      << seen;
  ok({"assign", "1", "白色"});  // by display name
  ok({"swap", "2", "3"});
  ASSERT_TRUE(wall_shows({{kTile[0], kWhite}, {kTile[1], kBlue}, {kTile[2], kGreen}}, &seen))
      << seen;
  auto s = state();
  EXPECT_EQ(s["tiles"][0]["camera"], "white");
  EXPECT_EQ(s["tiles"][1]["camera"], "blue");
  EXPECT_EQ(s["tiles"][2]["camera"], "green");
}

TEST_F(Wallctl, LayoutSetAndMaximizeChangeTheWall) {
  ok({"layout", "set", "1x1"});
  std::string seen;
  ASSERT_TRUE(wall_shows({{{320, 200}, kRed}, {{600, 340}, kRed}}, &seen)) << seen;
  ok({"layout", "set", "2x2"});
  ok({"maximize", "3"});
  ASSERT_TRUE(wall_shows({{{320, 200}, kBlue}, {{40, 340}, kBlue}}, &seen)) << seen;
  EXPECT_EQ(state()["maximized"], 3);
  ok({"restore"});
  ASSERT_TRUE(wall_shows({{kTile[0], kRed}, {kTile[3], kWhite}}, &seen)) << seen;
}

// masks lift/restore: the state and status say so, in the operator's language.
TEST_F(Wallctl, MasksLiftAndRestoreShowInStateAndStatus) {
  ok({"masks", "lift"});
  EXPECT_EQ(state()["masks_lifted"], true);
  EXPECT_NE(ok({"status"}).output.find("隐私遮挡已解除"), std::string::npos);
  ok({"masks", "restore"});
  EXPECT_EQ(state()["masks_lifted"], false);
  EXPECT_EQ(ok({"status"}).output.find("隐私遮挡"), std::string::npos);
}

TEST_F(Wallctl, RefusalsExitWith1AndUsageErrorsWith2) {
  auto version = state()["version"];
  struct Case {
    std::vector<std::string> args;
    const char* code;
  };
  for (const auto& c :
       {Case{{"assign", "9", "红色"}, "tile_out_of_range"},
        Case{{"assign", "1", "不存在"}, "unknown_camera"},
        Case{{"layout", "set", "7x7"}, "unknown_layout"},
        Case{{"preset", "recall", "没有"}, "unknown_preset"}, Case{{"ack"}, "unknown_alarm"}}) {
    auto r = daemon_->wallctl(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args[0] << ": " << r.output;
    EXPECT_NE(r.output.find(c.code), std::string::npos) << r.output;
  }
  EXPECT_EQ(state()["version"], version);  // nothing changed
  EXPECT_EQ(daemon_->wallctl({"assign", "x"}).exit_code, 2);
  EXPECT_EQ(daemon_->wallctl({"frobnicate"}).exit_code, 2);
  auto unreachable =
      run_process(WALLCTL_BIN,
                  {"--endpoint", "tcp://127.0.0.1:" + std::to_string(free_tcp_port()), "--timeout",
                   "1", "status"},
                  20s);
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.output;
}

TEST_F(Wallctl, TourCyclesItsCamerasUntilStopped) {
  ok({"tour", "start", "4", "红色", "绿色", "--dwell", "3"});
  auto s = state();
  ASSERT_TRUE(s["tours"].contains("4")) << s.dump();
  EXPECT_EQ(s["tiles"][3]["camera"], "red");
  bool advanced = false;
  for (int i = 0; i < 40 && !advanced; ++i) {
    std::this_thread::sleep_for(250ms);
    advanced = state()["tiles"][3]["camera"] == "green";
  }
  EXPECT_TRUE(advanced) << "tile 4 did not move on to the tour's second camera within 10 s";
  ok({"tour", "stop", "4"});
  EXPECT_TRUE(state()["tours"].empty());
  EXPECT_EQ(daemon_->wallctl({"tour", "start", "4", "红色", "绿色", "--dwell", "1"}).exit_code, 1);
}

TEST_F(Wallctl, PresetSaveRecallDelete) {
  ok({"layout", "set", "2x2"});
  ok({"assign", "2", "white"});
  ok({"preset", "save", "应急"});
  auto saved = state();
  ok({"layout", "set", "3x3"});
  ok({"assign", "1", "blue"});
  ok({"preset", "recall", "应急"});
  auto recalled = state();
  EXPECT_EQ(recalled["layout"], "2x2");
  EXPECT_EQ(recalled["tiles"], saved["tiles"]);
  EXPECT_NE(recalled["presets"].dump().find("应急"), std::string::npos);
  ok({"preset", "delete", "应急"});
  EXPECT_EQ(daemon_->wallctl({"preset", "recall", "应急"}).exit_code, 1);
}

TEST_F(Wallctl, SnapshotAsJpegAndOnTheDaemon) {
  auto jpeg = (daemon_->dir() / "wall.jpg").string();
  ok({"snapshot", jpeg, "--quality", "70"});
  std::ifstream in(jpeg, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  EXPECT_EQ(magic[0], 0xff);
  EXPECT_EQ(magic[1], 0xd8);
  auto r = ok({"snapshot", "daemon-side.png", "--on-daemon"});
  auto expected = daemon_->dir() / "snapshots" / "daemon-side.png";
  EXPECT_NE(r.output.find(expected.string()), std::string::npos) << r.output;
  EXPECT_EQ(read_png_file(expected.string()).width, 640);
}

TEST_F(Wallctl, ConfigReloadAddsCamerasAndRefusesABadFile) {
  daemon_->write_config(
      "api: {anonymous_role: admin}\n",
      "  - {id: red2, name: 红色二, main: \"" + daemon_->cameras().url("/red") + "\"}\n");
  ok({"reload"});
  EXPECT_NE(ok({"cameras"}).output.find("红色二"), std::string::npos);
  ok({"assign", "4", "红色二"});
  std::string seen;
  EXPECT_TRUE(wall_shows({{kTile[3], kRed}}, &seen)) << seen;

  auto version = state()["version"];
  std::ofstream(daemon_->config_path()) << "cameras: [unclosed\n";
  auto bad = daemon_->wallctl({"reload"});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("config_invalid"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("wall.yaml"), std::string::npos) << bad.output;
  EXPECT_EQ(state()["version"], version);
  daemon_->write_config("api: {anonymous_role: admin}\n");
  ok({"reload"});
  EXPECT_EQ(state()["tiles"][3]["camera"], "");  // red2 is gone again: its tile was cleared
}

TEST_F(Wallctl, WatchFollowsChanges) {
  DaemonProcess watch(WALLCTL_BIN,
                      {"--endpoint", daemon_->client_options().endpoint, "--pub-endpoint",
                       daemon_->client_options().pub_endpoint, "--json", "watch", "--count", "2",
                       "--seconds", "20"},
                      (daemon_->dir() / "watch.log").string());
  watch.start();
  // The subscription reaches the daemon a moment after the watcher starts (ZeroMQ slow joiner):
  // switch the layout back and forth until the watcher prints an update ...
  bool three = false;
  ASSERT_TRUE(eventually(
      [&] {
        three = !three;
        ok({"layout", "set", three ? "3x3" : "2x2"});
        return watch.log().find("\"layout.set\"") != std::string::npos;
      },
      20s, 200ms))
      << watch.log();
  ok({"layout", "set", three ? "2x2" : "3x3"});  // ... and once more for its second
  EXPECT_EQ(watch.stop(25s), 0);  // exits by itself after two updates; stop() only reaps it
  auto log = watch.log();
  EXPECT_NE(log.find("\"layout.set\""), std::string::npos) << log;
}

TEST_F(Wallctl, AuditTrailVerifiesAndTamperingIsFound) {
  for (const char* layout : {"3x3", "2x2", "3x3"}) ok({"layout", "set", layout});
  // Refused: audited too, in the refusals' own log (a flood of them cannot rotate commands away).
  daemon_->wallctl({"assign", "1", "不存在"});
  // (the first of its kind in a minute in full; repeats are counted in a summary line later)
  std::ifstream refusals(daemon_->refusals_path());
  bool found = false;
  for (std::string refusal; std::getline(refusals, refusal);)
    found = found || refusal.find("\"unknown_camera\"") != std::string::npos;
  EXPECT_TRUE(found) << "no unknown_camera refusal in " << daemon_->refusals_path();
  const std::string key = daemon_->audit_key_path();
  ok({"audit", "verify", daemon_->refusals_path(), "--key", key});
  auto r = ok({"audit", "verify", daemon_->audit_path(), "--key", key});
  EXPECT_NE(r.output.find("HMAC-SM3"), std::string::npos) << r.output;
  // Keyed with HMAC-SM3 by default: without the key the lines cannot be checked, and it says so.
  auto keyless = daemon_->wallctl({"--lang", "en", "audit", "verify", daemon_->audit_path()});
  EXPECT_EQ(keyless.exit_code, 1) << keyless.output;
  EXPECT_NE(keyless.output.find("--key"), std::string::npos) << keyless.output;
  std::ifstream in(daemon_->audit_path());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_NE(lines.back().find("\"layout.set\""), std::string::npos) << lines.back();
  auto tampered = (daemon_->dir() / "tampered.log").string();
  {
    std::ofstream out(tampered);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      auto line = lines[i];
      if (i == 2) line.replace(line.find("\"seq\""), 5, "\"Seq\"");
      out << line << "\n";
    }
  }
  auto bad = daemon_->wallctl({"audit", "verify", tampered, "--key", key});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find(":3"), std::string::npos) << bad.output;  // names line 3

  // The head printed now, checked later: a cut-off tail is a valid chain but fails the anchor.
  auto head =
      json::parse(ok({"--json", "audit", "verify", daemon_->audit_path(), "--key", key}).output,
                  nullptr, false)
          .value("head", "");
  ASSERT_FALSE(head.empty());
  auto cut = (daemon_->dir() / "cut.log").string();
  {
    std::ofstream out(cut);
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) out << lines[i] << "\n";
  }
  ok({"audit", "verify", cut, "--key", key});
  auto anchored = daemon_->wallctl({"audit", "verify", cut, "--anchor", head, "--key", key});
  EXPECT_EQ(anchored.exit_code, 1) << anchored.output;
  EXPECT_NE(anchored.output.find("cut off"), std::string::npos) << anchored.output;
}

// config.reload reads the alarm-rules file again: a changed one is swapped in and reported, a bad
// one refuses the whole reload, and what cannot change without a restart is listed as such.
TEST(WallctlReload, RulesAreReloadedAndRestartRequiredIsReported) {
  const std::string rule_red =
      "  - name: 民族街重大事件\n"
      "    when: {street: 民族街, major: true}\n"
      "    show: {layout: 1x1, cameras: [red]}\n";
  const std::string rule_green =
      "  - name: 花楼街重大事件\n"
      "    when: {street: 花楼街, major: true}\n"
      "    show: {layout: 1x1, cameras: [green]}\n";
  const std::string api = "api: {anonymous_role: admin}\n";
  ApiDaemon d("reload", api + "cases: {rules: rules.yaml}\n");
  auto write_rules = [&](const std::string& rules) {
    std::ofstream(d.dir() / "rules.yaml") << "rules:\n" << rules;
  };
  auto reload = [&](int want_exit) {
    auto r = d.wallctl({"reload"}, {"--json"});
    EXPECT_EQ(r.exit_code, want_exit) << r.output;
    // The reply is the first line; a refusal adds wallctl's own message after it.
    auto reply = json::parse(r.output.substr(0, r.output.find('\n')), nullptr, false);
    EXPECT_TRUE(reply.is_object()) << r.output;
    return reply.is_object() ? reply : json::object();
  };
  write_rules(rule_red);
  d.start();
  ASSERT_TRUE(d.process().running()) << d.process().log();
  ASSERT_TRUE(d.process().wait_for_log("alarm rules: 1 loaded", 10s)) << d.process().log();

  auto same = reload(0);
  EXPECT_EQ(same["reloaded"], json::array()) << same.dump();
  EXPECT_EQ(same["restart_required"], json::array()) << same.dump();

  write_rules(rule_red + rule_green);
  auto changed = reload(0);
  EXPECT_EQ(changed["reloaded"], json::array({"cases.rules"})) << changed.dump();
  EXPECT_TRUE(d.process().wait_for_log("alarm rules: 2 reloaded", 10s)) << d.process().log();

  // A rule naming a camera the config does not have: nothing changes, the error names the file.
  const auto version = d.wallctl({"state"}, {"--json"});
  write_rules(rule_red +
              "  - name: 坏规则\n    when: {major: true}\n"
              "    show: {layout: 1x1, cameras: [nobody]}\n");
  auto bad = reload(1);
  EXPECT_EQ(bad["error"]["code"], "config_invalid") << bad.dump();
  EXPECT_NE(bad.dump().find("rules.yaml"), std::string::npos) << bad.dump();
  EXPECT_EQ(d.wallctl({"state"}, {"--json"}).output, version.output);

  // The diagnosis' thresholds follow the file; turning it off needs a restart.
  write_rules(rule_red + rule_green);
  d.write_config(api + "cases: {rules: rules.yaml}\nquality: {thresholds: {noise: 12}}\n");
  auto thresholds = reload(0);
  EXPECT_EQ(thresholds["reloaded"], json::array({"quality"})) << thresholds.dump();
  EXPECT_EQ(thresholds["restart_required"], json::array()) << thresholds.dump();
  EXPECT_EQ(reload(0)["reloaded"], json::array());  // taken over: nothing left to reload
  d.write_config(api + "cases: {rules: rules.yaml}\nquality: {enabled: false}\n");
  EXPECT_EQ(reload(0)["restart_required"], json::array({"quality.enabled"}));

  // Settings the running daemon cannot take over are reported, never a silent "ok".
  d.write_config(api + "cases: {rules: moved.yaml, silence_timeout_s: 9}\n");
  std::ofstream(d.dir() / "moved.yaml") << "rules:\n" << rule_green;
  auto restart = reload(0);
  EXPECT_EQ(restart["restart_required"], json::array({"cases.rules", "cases.silence_timeout_s"}))
      << restart.dump();
  // (the thresholds, no longer in the file, go back to their defaults)
  EXPECT_EQ(restart["reloaded"], json::array({"quality"})) << restart.dump();
  auto text = d.wallctl({"reload"});
  EXPECT_NE(text.output.find("cases.rules"), std::string::npos) << text.output;
}

}  // namespace
}  // namespace vw::testing
