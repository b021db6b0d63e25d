// The picture-quality diagnosis through the real wallctl against a running headless daemon:
// the report (table, CSV, JSON, the HTML page with its pictures), the scene check's reference,
// and the verdicts of cameras visited off the wall (wallctl cameras).
#include <nlohmann/json.hpp>

#include "controller/api/wallctl_format.hpp"
#include "tests/controller/api_daemon.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/image_decode.hpp"

namespace vw::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// quality.report (视频质量诊断报告): the solid-colour cameras are flat and still, so each is
// diagnosed covered and frozen within a second at a 0.2 s interval; the report gives the time
// each stream spent in each fault, as a table, as CSV and as JSON, and still after a restart
// (the history is kept beside the state). A quality alarm rule on 民族街 (red, blue) fires
// once a camera there has been covered for a second.
TEST(WallctlQuality, ReportListsEachStreamsFaultsAndSpansARestart) {
  ApiDaemon d("quality",
              "api: {anonymous_role: viewer}\nquality: {interval_s: 0.2}\n"
              "cases: {rules: rules.yaml}\n");
  std::ofstream(d.dir() / "rules.yaml")
      << "rules:\n  - name: 民族街画面异常\n"
         "    when: {street: 民族街, quality: [black, covered], for_seconds: 1}\n"
         "    show: {layout: 2x2, cameras: [red, blue, green, white]}\n"
         "    banner: \"{camera} {check}\"\n";
  d.start();
  auto report = [&] {
    auto r = d.wallctl({"quality", "report"}, {"--json"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return json::parse(r.output.substr(0, r.output.find('\n')), nullptr, false);
  };
  auto faults_of = [](const json& reply, const std::string& stream) {
    if (reply.is_object() && reply["streams"].is_array())
      for (const auto& s : reply["streams"])
        if (s.value("stream", "") == stream) return s["faults"];
    return json();
  };
  json reply;
  ASSERT_TRUE(eventually(
      [&] {
        reply = report();
        const json red = faults_of(reply, "red/main");
        return red.is_array() && red.size() == 3 && red[0].value("seconds", 0.0) > 0;
      },
      30s, 200ms))
      << reply.dump();
  const json red = faults_of(reply, "red/main");
  // Pure red is a colour cast as well as a flat, still picture.
  EXPECT_EQ(red[0]["check"], "colour_cast");
  EXPECT_EQ(red[1]["check"], "covered");
  EXPECT_EQ(red[2]["check"], "frozen");
  EXPECT_EQ(red[1]["periods"], 1);
  EXPECT_EQ(red[1]["ongoing"], true);

  // The alarm rule fired: the wall holds its alarm, the banner names the camera and the check.
  json alarms;
  EXPECT_TRUE(eventually(
      [&] {
        const auto state = json::parse(d.wallctl({"state"}, {"--json"}).output, nullptr, false);
        alarms = state.is_object() ? state["state"]["alarms"] : json();
        return alarms.is_array() && !alarms.empty();
      },
      15s, 200ms))
      << alarms.dump();
  if (alarms.is_array() && !alarms.empty()) {
    EXPECT_EQ(alarms[0]["rule"], "民族街画面异常");
    const std::string banner = alarms[0].value("banner", "");
    EXPECT_TRUE(banner == "红色 遮挡" || banner == "蓝色 遮挡") << banner;
  }

  // The PUB stream carries the verdicts too (its streams topic, every 2 s).
  DaemonProcess watch(
      WALLCTL_BIN,
      {"--endpoint", d.client_options().endpoint, "--pub-endpoint", d.client_options().pub_endpoint,
       "--json", "watch", "--topic", "streams", "--count", "2", "--seconds", "20"},
      (d.dir() / "watch.log").string());
  watch.start();
  // (in the order a tile names them)
  EXPECT_TRUE(watch.wait_for_log(R"("faults":["covered","frozen","colour_cast"])", 20s))
      << watch.log();
  watch.stop();

  const auto text = d.wallctl({"quality", "report"});
  EXPECT_NE(text.output.find("视频质量诊断报告"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("遮挡"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("画面冻结"), std::string::npos) << text.output;
  const auto csv = d.wallctl({"quality", "report", "--csv", "--since", "1h"});
  EXPECT_EQ(
      csv.output.rfind("stream,camera,check,seconds,periods,longest_s,longest_from,ongoing\n", 0),
      0u)
      << csv.output;
  EXPECT_NE(csv.output.find("\nred/main,red,covered,"), std::string::npos) << csv.output;
  // The page to hand in: each fault with the picture of its beginning, red's red.
  const auto page = d.wallctl({"quality", "report", "--html"});
  EXPECT_EQ(page.exit_code, 0) << page.output;
  EXPECT_EQ(page.output.rfind("<!DOCTYPE html>", 0), 0u) << page.output.substr(0, 200);
  EXPECT_NE(page.output.find("<h1>视频质量诊断报告</h1>"), std::string::npos);
  const std::string img = R"(<img alt="red/main" src="data:image/jpeg;base64,)";
  const auto at = page.output.find(img);
  ASSERT_NE(at, std::string::npos) << page.output.substr(0, 2000);
  const auto end = page.output.find('"', at + img.size());
  const auto jpeg = controller::api::wallctl::base64_decode(
      page.output.substr(at + img.size(), end - at - img.size()));
  ASSERT_TRUE(jpeg);
  const auto picture = renderer::decode_jpeg(std::vector<std::uint8_t>(jpeg->begin(), jpeg->end()));
  EXPECT_EQ(picture.width, 320);  // the camera's own size: below the snapshot width
  EXPECT_GT(picture.pixel(160, 90) >> 24, 200u);
  EXPECT_LT((picture.pixel(160, 90) >> 16) & 0xff, 60u);
  EXPECT_EQ(d.wallctl({"quality", "report", "--html", "--csv"}).exit_code, 2);
  const auto bad = d.wallctl({"quality", "report", "--since", "soon"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--since"), std::string::npos) << bad.output;

  // A clean stop ends every fault; the next daemon reads the history back.
  const double before = red[1].value("seconds", 0.0);
  EXPECT_EQ(d.process().stop(), 0) << d.process().log();
  d.start();
  const json again = faults_of(report(), "red/main");
  ASSERT_TRUE(again.is_array()) << again.dump();
  ASSERT_GE(again.size(), 2u) << again.dump();
  EXPECT_EQ(again[1]["check"], "covered");
  EXPECT_GE(again[1].value("seconds", 0.0), before);
}

// The scene check (场景变更) on the daemon: an operator confirms a street camera's view with
// `wallctl quality reference`, the daemon keeps the picture beside its state, and when the camera
// turns away (videowall-camsim's scene_changed, 10 s into its stream) the stream is diagnosed
// scene_changed; confirming the new view again accepts it, --clear drops the check.
TEST(WallctlQuality, ConfirmedReferenceCatchesTheCameraTurningAway) {
  CamsimProcess street(std::vector<SimSceneSpec>{{"/street", "scene_changed", 10}});
  street.start();
  ApiDaemon d("reference", "api: {anonymous_role: admin}\nquality: {interval_s: 0.25}\n");
  d.start();
  d.write_config(
      "api: {anonymous_role: admin}\nquality: {interval_s: 0.25}\n",
      "  - {id: street, name: 街景, street: 民权街, main: \"" + street.url("/street") + "\"}\n");
  const auto reloaded = d.wallctl({"reload"});
  ASSERT_EQ(reloaded.exit_code, 0) << reloaded.output;
  const auto assigned = d.wallctl({"assign", "4", "street"});
  ASSERT_EQ(assigned.exit_code, 0) << assigned.output;
  const auto played = std::chrono::steady_clock::now();  // the scene's clock starts about now
  auto unknown = d.wallctl({"quality", "reference", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("nobody"), std::string::npos) << unknown.output;
  auto confirmed = d.wallctl({"quality", "reference", "街景"});
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.output;

  auto quality = [&] {
    const auto status = json::parse(d.wallctl({"status"}, {"--json"}).output, nullptr, false);
    if (status.is_object() && status["streams"].is_array())
      for (const auto& s : status["streams"])
        if (s.value("key", "") == "street/main") return s["quality"];
    return json();
  };
  json q;
  ASSERT_TRUE(eventually(
      [&] { return (q = quality()).is_object() && q["scene_match"].is_number(); }, 10s, 100ms))
      << q.dump();
  EXPECT_LT(std::chrono::steady_clock::now(), played + 8s) << "the reference came too late";
  EXPECT_EQ(q["faults"], json::array()) << q.dump();
  const auto picture = fs::path(d.state_dir()) / "quality-references" / "737472656574.pgm";
  EXPECT_TRUE(fs::exists(picture));
  const auto state = json::parse(d.wallctl({"state"}, {"--json"}).output, nullptr, false);
  EXPECT_TRUE(state["state"]["quality_references"].contains("street")) << state.dump();

  // The camera turns away.
  ASSERT_TRUE(eventually(
      [&] {
        q = quality();
        return q.is_object() && q["faults"] == json::array({"scene_changed"});
      },
      25s, 200ms))
      << q.dump();
  EXPECT_NE(d.wallctl({"status"}).output.find("场景变更"), std::string::npos);
  // The operator accepts the new view: a new reference, the fault goes.
  ASSERT_EQ(d.wallctl({"quality", "reference", "street"}).exit_code, 0);
  EXPECT_TRUE(
      eventually([&] { return (q = quality()).is_object() && q["faults"].empty(); }, 15s, 200ms))
      << q.dump();
  ASSERT_EQ(d.wallctl({"quality", "reference", "street", "--clear"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return (q = quality()).is_object() && q["scene_match"].is_null(); },
                         10s, 100ms))
      << q.dump();
  EXPECT_TRUE(eventually([&] { return !fs::exists(picture); }, 5s, 50ms));
}

// Cameras off the wall (quality.off_wall): the daemon visits them in turn, and `wallctl cameras`
// gives each camera's verdict with when it was judged; a fault found on a visit stands between
// visits (the report shows one period, still ongoing, longer than a visit).
TEST(WallctlQuality, CamerasOffTheWallAreVisitedAndListedWithTheirVerdict) {
  CamsimProcess lots(std::vector<SimSceneSpec>{{"/lot", "black", 0}, {"/gate", "none", 0}});
  lots.start();
  const std::string yaml =
      "api: {anonymous_role: admin}\n"
      "quality: {interval_s: 0.25, off_wall: {enabled: true, visit_s: 2}}\n";
  ApiDaemon d("off-wall", yaml);
  d.start();  // writes the first config; the cameras off the wall come with a restart
  d.write_config(yaml, "  - {id: lot, name: 停车场, street: 民权街, main: \"" + lots.url("/lot") +
                           "\"}\n  - {id: gate, name: 大门, street: 民权街, main: \"" +
                           lots.url("/gate") + "\"}\n");
  EXPECT_EQ(d.process().stop(), 0);
  d.start();
  auto quality_of = [&](const std::string& camera) {
    const auto reply = json::parse(d.wallctl({"cameras"}, {"--json"}).output, nullptr, false);
    if (reply.is_object() && reply["cameras"].is_array())
      for (const auto& c : reply["cameras"])
        if (c.value("id", "") == camera) return c["quality"];
    return json();
  };
  json lot, gate;
  ASSERT_TRUE(eventually(
      [&] {
        lot = quality_of("lot");
        gate = quality_of("gate");
        return lot.is_object() && lot["faults"] == json::array({"black"}) && gate.is_object() &&
               gate["faults"] == json::array();
      },
      40s, 250ms))
      << lot.dump() << "\n"
      << gate.dump();
  EXPECT_EQ(lot["stream"], "lot/main");
  EXPECT_TRUE(lot["sampled_at"].is_string());
  EXPECT_TRUE(quality_of("red").is_object()) << "the wall's cameras are diagnosed as before";
  const auto table = d.wallctl({"cameras"});
  EXPECT_NE(table.output.find("黑屏"), std::string::npos) << table.output;
  // The lot's black spans its visits: one period, ongoing, longer than one visit.
  json black;
  EXPECT_TRUE(eventually(
      [&] {
        const auto report =
            json::parse(d.wallctl({"quality", "report"}, {"--json"}).output, nullptr, false);
        if (report.is_object() && report["streams"].is_array())
          for (const auto& s : report["streams"])
            if (s.value("stream", "") == "lot/main")
              for (const auto& f : s["faults"])
                if (f.value("check", "") == "black") black = f;
        return black.is_object() && black.value("seconds", 0.0) > 5;
      },
      30s, 500ms))
      << black.dump();
  EXPECT_EQ(black["periods"], 1) << black.dump();
  EXPECT_EQ(black["ongoing"], true);
}

}  // namespace
}  // namespace vw::testing
