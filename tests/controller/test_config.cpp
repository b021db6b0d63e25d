// Config parser: good files load; each kind of bad file names file, line and field.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "controller/core/config.hpp"

namespace vw::controller {
namespace {

constexpr const char* kGood = R"(wall:
  width: 1280
  height: 720
  layout: 2x2
  layouts_dir: ../layouts
  fit: fill
  language: en
  render_path: gpu
streams:
  transport: udp
  latency_ms: 150
  stall_timeout_s: 2.5
cameras:
  - id: a
    name: 花楼街-01
    street: 花楼街
    main: rtsp://user:secret@10.0.0.1/main
    sub: rtsp://10.0.0.1/sub
    main_size: [2560, 1440]
  - id: b
    main: rtsps://cam-b/stream
    transport: tcp
    latency_ms: 0
tiles: [b, ~, 花楼街-01]
)";

// Loads `yaml` and returns the error it raises (fails the test if it loads).
ConfigError error_of(const std::string& yaml) {
  try {
    load_config_text(yaml, "test.yaml", "/etc/videowall");
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << yaml;
  return ConfigError("", 0, "", "");
}

TEST(Config, GoodFileLoadsEveryField) {
  Config c = load_config_text(kGood, "test.yaml", "/etc/videowall/conf");
  EXPECT_EQ(c.wall.width, 1280);
  EXPECT_EQ(c.wall.height, 720);
  EXPECT_EQ(c.wall.layout, "2x2");
  EXPECT_EQ(c.wall.layout_line, 4);
  EXPECT_EQ(c.wall.layouts_dir, "/etc/videowall/layouts");
  EXPECT_EQ(c.wall.fit, renderer::FitMode::Fill);
  EXPECT_EQ(c.wall.language, renderer::Language::English);
  EXPECT_EQ(c.wall.render_path, renderer::RenderPath::Gpu);
  EXPECT_EQ(c.stall_timeout, std::chrono::milliseconds(2500));
  ASSERT_EQ(c.cameras.size(), 2u);
  EXPECT_EQ(c.cameras[0].name, "花楼街-01");
  EXPECT_EQ(c.cameras[0].street, "花楼街");
  EXPECT_EQ(c.cameras[0].transport, streams::Transport::Udp);  // from streams: default
  EXPECT_EQ(c.cameras[0].latency_ms, 150);
  EXPECT_EQ(c.cameras[0].main_width, 2560);
  EXPECT_EQ(c.cameras[1].name, "b");  // name defaults to id
  EXPECT_EQ(c.cameras[1].transport, streams::Transport::Tcp);
  EXPECT_EQ(c.cameras[1].latency_ms, 0);
  EXPECT_EQ(c.tiles, (std::vector<std::string>{"b", "", "a"}));  // names resolve to ids
  EXPECT_EQ(c.find_camera("花楼街-01"), &c.cameras[0]);
}

TEST(Config, BadYamlSyntaxNamesTheLine) {
  auto e = error_of("wall:\n  width: 1920\ncameras: [\n  - id: x\n");
  EXPECT_EQ(e.file(), "test.yaml");
  EXPECT_GE(e.line(), 3);
  EXPECT_EQ(e.field(), "(syntax)");
}

TEST(Config, MissingCameraUrl) {
  auto e = error_of("cameras:\n  - id: a\n    main: rtsp://x/y\n  - id: b\n    name: 无地址\n");
  EXPECT_EQ(e.line(), 4);
  EXPECT_EQ(e.field(), "cameras[1].main");
  EXPECT_NE(std::string(e.what()).find("RTSP URL"), std::string::npos) << e.what();
}

TEST(Config, EachKindOfMistakeIsNamed) {
  struct Case {
    const char* yaml;
    int line;
    const char* field;
  };
  const Case cases[] = {
      {"cameras: []\n", 1, "cameras"},
      {"wall: {width: 1920}\n", 1, "cameras"},
      {"cameras:\n  - name: x\n    main: rtsp://h/s\n", 2, "cameras[0].id"},
      {"cameras:\n  - id: a\n    main: http://h/s\n", 3, "cameras[0].main"},
      {"cameras:\n  - {id: a, main: rtsp://h/1}\n  - {id: a, main: rtsp://h/2}\n", 3,
       "cameras[1].id"},
      {"cameras:\n  - id: a\n    main: rtsp://h/s\n    colour: red\n", 4, "cameras[0].colour"},
      {"wall:\n  width: 10\ncameras:\n  - {id: a, main: rtsp://h/s}\n", 2, "wall.width"},
      {"wall:\n  width: wide\ncameras:\n  - {id: a, main: rtsp://h/s}\n", 2, "wall.width"},
      {"wall:\n  fit: stretch\ncameras:\n  - {id: a, main: rtsp://h/s}\n", 2, "wall.fit"},
      {"wall:\n  render_path: software\ncameras:\n  - {id: a, main: rtsp://h/s}\n", 2,
       "wall.render_path"},
      {"streams:\n  transport: quic\ncameras:\n  - {id: a, main: rtsp://h/s}\n", 2,
       "streams.transport"},
      {"cameras:\n  - {id: a, main: rtsp://h/s}\ntiles: [a, nobody]\n", 3, "tiles[1]"},
      {"cameras:\n  - {id: a, main: rtsp://h/s}\nextra: 1\n", 3, "extra"},
      {"cameras:\n  - {id: a, main: rtsp://h/s, main_size: [1920]}\n", 2, "cameras[0].main_size"},
  };
  for (const auto& c : cases) {
    auto e = error_of(c.yaml);
    EXPECT_EQ(e.line(), c.line) << c.yaml << " -> " << e.what();
    EXPECT_EQ(e.field(), c.field) << c.yaml << " -> " << e.what();
    EXPECT_NE(std::string(e.what()).find("test.yaml:"), std::string::npos) << e.what();
  }
}

TEST(Config, CaseFeedAndOverlaysPerLayout) {
  Config c = load_config_text(R"(cameras:
  - {id: a, main: rtsp://h/a}
cases:
  endpoints: [tcp://127.0.0.1:5570]
  silence_timeout_s: 2
  rules: rules/alarms.yaml
  overlays:
    default: [counters, badges]
    1x1: []
    4x4: [counters, streets, categories, ticker, badges]
)",
                              "test.yaml", "/etc/vw");
  EXPECT_EQ(c.cases.endpoints, std::vector<std::string>{"tcp://127.0.0.1:5570"});
  EXPECT_EQ(c.cases.silence_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(c.cases.rules_path, "/etc/vw/rules/alarms.yaml");
  using renderer::Overlay;
  EXPECT_EQ(c.cases.overlays_for("3x3"),
            (std::vector<Overlay>{Overlay::Counters, Overlay::Badges}));
  EXPECT_TRUE(c.cases.overlays_for("1x1").empty());
  EXPECT_EQ(c.cases.overlays_for("4x4").size(), 5u);

  auto e = error_of(
      "cameras:\n  - {id: a, main: rtsp://h/a}\ncases:\n  overlays:\n    default: [counters, "
      "clock]\n");
  EXPECT_EQ(e.line(), 5);
  EXPECT_EQ(e.field(), "cases.overlays.default[1]");
  e = error_of("cameras:\n  - {id: a, main: rtsp://h/a}\ncases:\n  endpoints: [udp://x]\n");
  EXPECT_EQ(e.line(), 4);
  EXPECT_EQ(e.field(), "cases.endpoints[0]");
}

TEST(Config, CaseFeedCurvePublishers) {
  const std::string cams = "cameras:\n  - {id: a, main: rtsp://h/a}\n";
  Config c = load_config_text(cams + R"(cases:
  curve:
    client_key_file: keys/wall.key
    publishers:
      - {id: jh-grid, endpoint: "tcp://10.1.2.3:5570", key_file: keys/jh-grid.pub}
)",
                              "test.yaml", "/etc/vw");
  ASSERT_TRUE(c.cases.curve());
  EXPECT_EQ(c.cases.client_key_file, "/etc/vw/keys/wall.key");
  EXPECT_EQ(c.cases.publishers[0].id, "jh-grid");
  EXPECT_EQ(c.cases.publishers[0].key_file, "/etc/vw/keys/jh-grid.pub");
  EXPECT_EQ(c.cases.endpoints, std::vector<std::string>{"tcp://10.1.2.3:5570"});
  struct Case {
    const char* yaml;
    const char* field;
  };
  for (const Case& k : {
           Case{"cases:\n  endpoints: [tcp://h:1]\n  curve: {client_key_file: k}\n",
                "cases.endpoints"},
           Case{"cases:\n  curve: {publishers: [{id: a, endpoint: \"tcp://h:1\", key_file: p}]}\n",
                "cases.curve.client_key_file"},
           Case{"cases:\n  curve: {client_key_file: k}\n", "cases.curve.publishers"},
           Case{"cases:\n  curve: {client_key_file: k, publishers: [{id: a, endpoint: "
                "\"tcp://h:1\"}]}\n",
                "cases.curve.publishers[0].key_file"},
       }) {
    EXPECT_EQ(error_of(cams + k.yaml).field(), k.field) << k.yaml;
  }
}

TEST(Config, CredentialsNeverAppearInErrors) {
  auto e = error_of("cameras:\n  - id: a\n    main: http://admin:hunter2@h/s\n");
  EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
}

TEST(Config, UnreadableFile) {
  try {
    load_config_file("/nonexistent/videowall.yaml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/videowall.yaml");
  }
}

TEST(Config, PanelSection) {
  const std::string cams = "cameras:\n  - {id: a, main: rtsp://h/s}\n";
  Config defaults = load_config_text(cams, "test.yaml", "/");
  EXPECT_EQ(defaults.panel.placement, renderer::UiPlacement::Overlay);
  EXPECT_FALSE(defaults.panel.visible);
  EXPECT_EQ(defaults.panel.toggle_key_code, 290);  // GLFW_KEY_F1
  Config c = load_config_text(cams +
                                  "panel: {placement: window, visible: true, toggle_key: F12, "
                                  "monitor: 1, width: 1600, height: 900, font_size: 20}\n",
                              "test.yaml", "/");
  EXPECT_EQ(c.panel.placement, renderer::UiPlacement::Window);
  EXPECT_TRUE(c.panel.visible);
  EXPECT_EQ(c.panel.toggle_key_code, 301);  // GLFW_KEY_F12
  EXPECT_EQ(c.panel.monitor, 1);
  EXPECT_EQ(c.panel.width, 1600);
  EXPECT_EQ(c.panel.font_size, 20);
  EXPECT_EQ(load_config_text(cams + "panel: {placement: \"off\"}\n", "t", "/").panel.placement,
            renderer::UiPlacement::Off);
  struct Case {
    std::string yaml;
    const char* field;
  };
  const Case cases[] = {
      {"panel: {placement: floating}\n", "panel.placement"},
      {"panel: {toggle_key: L}\n", "panel.toggle_key"},
      {"panel: {toggle_key: F13}\n", "panel.toggle_key"},
      {"panel: {monitor: -2}\n", "panel.monitor"},
      {"panel: {font_size: 5}\n", "panel.font_size"},
      {"panel: {colour: red}\n", "panel.colour"},
  };
  for (const auto& k : cases) {
    auto e = error_of(cams + k.yaml);
    EXPECT_EQ(e.field(), k.field) << k.yaml << " -> " << e.what();
    EXPECT_EQ(e.line(), 3) << k.yaml << " -> " << e.what();
  }
}

// Without CURVE only these endpoints may be bound; the ';' form is libzmq's "source;address"
// (tcp://127.0.0.1:1;0.0.0.0:5790 listens on every interface).
TEST(Config, LoopbackEndpointsAreParsedStrictly) {
  for (const char* ok : {"tcp://127.0.0.1:5560", "tcp://127.1.2.3:1", "tcp://127.0.0.1:*",
                         "tcp://[::1]:5560", "ipc:///run/videowall/api", "inproc://x"})
    EXPECT_TRUE(is_loopback_endpoint(ok)) << ok;
  for (const char* bad :
       {"tcp://127.0.0.1:1;0.0.0.0:5790", "tcp://0.0.0.0:5560", "tcp://*:5560",
        "tcp://localhost:5560", "tcp://lo:5560", "tcp://127.0.0.1.evil.example:5560",
        "tcp://127.0.0.1:5560 ", "tcp://127.0.0.256:5560", "tcp://127.0.0:5560",
        "tcp://127.0.0.01:5560", "tcp://127.0.0.1:0", "tcp://127.0.0.1:65536", "tcp://127.0.0.1",
        "tcp://[::]:5560", "tcp://[::1]:5560;0.0.0.0:1", "ipc://", "udp://127.0.0.1:5560",
        "tcp://128.0.0.1:5560"})
    EXPECT_FALSE(is_loopback_endpoint(bad)) << bad;
  const auto e = error_of(
      "cameras: [{id: a, main: rtsp://h/x}]\napi:\n  endpoint: "
      "\"tcp://127.0.0.1:1;0.0.0.0:5790\"\n");
  EXPECT_EQ(e.field(), "api.endpoint") << e.what();
  EXPECT_NE(std::string(e.what()).find("not a loopback address"), std::string::npos) << e.what();
}

// The metrics endpoint: loopback by default; elsewhere only when asked for, numeric, or off.
TEST(Config, ServiceSection) {
  const std::string cams = "cameras:\n  - {id: a, main: rtsp://h/s}\n";
  const Config defaults = load_config_text(cams, "test.yaml", "/");
  EXPECT_EQ(defaults.service.metrics_host, "127.0.0.1");
  EXPECT_EQ(defaults.service.metrics_port, 9560);
  EXPECT_EQ(defaults.service.stuck_after, std::chrono::milliseconds(5000));
  const Config c = load_config_text(
      cams + "service: {metrics: \"[::1]:9000\", watchdog_stuck_s: 2.5}\n", "test.yaml", "/");
  EXPECT_EQ(c.service.metrics_host, "::1");
  EXPECT_EQ(c.service.metrics_port, 9000);
  EXPECT_EQ(c.service.stuck_after, std::chrono::milliseconds(2500));
  EXPECT_TRUE(load_config_text(cams + "service: {metrics: \"off\"}\n", "t", "/")
                  .service.metrics_host.empty());
  const Config remote = load_config_text(
      cams + "service: {metrics: \"10.1.2.3:9560\", metrics_remote: true}\n", "t", "/");
  EXPECT_EQ(remote.service.metrics_host, "10.1.2.3");
  const auto any = load_config_text(cams + "service: {metrics: \"127.0.0.1:*\"}\n", "t", "/");
  EXPECT_EQ(any.service.metrics_port, 0);
  struct Case {
    std::string yaml;
    const char* field;
    const char* says;
  };
  const Case cases[] = {
      {"service: {metrics: \"0.0.0.0:9560\"}\n", "service.metrics", "metrics_remote"},
      {"service: {metrics: \"localhost:9560\"}\n", "service.metrics", "not a numeric"},
      {"service: {metrics: \"127.0.0.1\"}\n", "service.metrics", "HOST:PORT"},
      {"service: {metrics: \"127.0.0.1:70000\"}\n", "service.metrics", "HOST:PORT"},
      {"service: {watchdog_stuck_s: 0}\n", "service.watchdog_stuck_s", ""},
      {"service: {metric: \"127.0.0.1:1\"}\n", "service.metric", ""},
  };
  for (const auto& k : cases) {
    auto e = error_of(cams + k.yaml);
    EXPECT_EQ(e.field(), k.field) << k.yaml << " -> " << e.what();
    EXPECT_NE(std::string(e.what()).find(k.says), std::string::npos) << e.what();
  }
}

TEST(Config, QualitySection) {
  const std::string cams = "cameras:\n  - {id: a, main: rtsp://h/s}\n";
  const Config defaults = load_config_text(cams, "test.yaml", "/");
  EXPECT_TRUE(defaults.quality.enabled);
  EXPECT_EQ(defaults.quality.interval, std::chrono::milliseconds(5000));
  const Config c = load_config_text(
      cams + "quality: {enabled: false, interval_s: 0.5, enter_after: 2, leave_after: 4}\n", "t",
      "/");
  EXPECT_FALSE(c.quality.enabled);
  EXPECT_EQ(c.quality.interval, std::chrono::milliseconds(500));
  EXPECT_EQ(c.quality.thresholds.enter_after, 2);
  EXPECT_EQ(c.quality.thresholds.leave_after, 4);
  EXPECT_EQ(error_of(cams + "quality: {enter_after: 0}\n").field(), "quality.enter_after");
  EXPECT_EQ(error_of(cams + "quality: {interval_s: 0}\n").field(), "quality.interval_s");
  EXPECT_EQ(error_of(cams + "quality: {rate: 1}\n").field(), "quality.rate");
  // Visits to cameras off the wall: off by default; a visit too short to enter a fault is named.
  EXPECT_FALSE(defaults.quality.off_wall);
  const Config visits =
      load_config_text(cams + "quality: {off_wall: {visit_s: 30, at_once: 2}}\n", "t", "/");
  EXPECT_TRUE(visits.quality.off_wall);
  EXPECT_EQ(visits.quality.visit, std::chrono::milliseconds(30000));
  EXPECT_EQ(visits.quality.visits_at_once, 2);
  const auto short_visit = error_of(cams + "quality: {off_wall: {visit_s: 10}}\n");
  EXPECT_EQ(short_visit.field(), "quality.off_wall.visit_s");
  EXPECT_NE(std::string(short_visit.what()).find("(enter_after + 1) x interval_s = 20"),
            std::string::npos)
      << short_visit.what();
  EXPECT_EQ(error_of(cams + "quality: {off_wall: {at_once: 0}}\n").field(),
            "quality.off_wall.at_once");
}

// Thresholds for every camera (quality.thresholds) and a camera's own (cameras[].quality), each
// checked by name and range; a camera may be left out of the diagnosis.
TEST(Config, QualityThresholdsCommonAndPerCamera) {
  const Config c = load_config_text(
      "cameras:\n"
      "  - {id: a, main: rtsp://h/a}\n"
      "  - {id: night, main: rtsp://h/n, quality: {dark_luma: 12, blur_of_baseline: 0.1}}\n"
      "  - {id: ptz, main: rtsp://h/p, quality: false}\n"
      "  - {id: lobby, main: rtsp://h/l, quality: {enabled: false}}\n"
      "quality: {thresholds: {blur_sharpness: 6, noise: 12}}\n",
      "t", "/");
  EXPECT_EQ(c.quality.thresholds.blur_sharpness, 6);
  EXPECT_EQ(c.quality.thresholds.noise, 12);
  EXPECT_EQ(c.quality.thresholds.dark_luma, quality::QualityThresholds{}.dark_luma);
  EXPECT_TRUE(c.cameras[0].quality);
  EXPECT_TRUE(c.cameras[0].quality_thresholds.empty());
  EXPECT_EQ(c.cameras[1].quality_thresholds,
            (std::map<std::string, double>{{"dark_luma", 12}, {"blur_of_baseline", 0.1}}));
  EXPECT_FALSE(c.cameras[2].quality);
  EXPECT_FALSE(c.cameras[3].quality);
  const auto night = quality::with_overrides(c.quality.thresholds, c.cameras[1].quality_thresholds);
  EXPECT_EQ(night.dark_luma, 12);
  EXPECT_EQ(night.blur_sharpness, 6);  // the common one where it has none of its own

  const std::string cams = "cameras:\n  - {id: a, main: rtsp://h/s}\n";
  auto e = error_of(cams + "quality: {thresholds: {blurry: 3}}\n");
  EXPECT_EQ(e.field(), "quality.thresholds.blurry");
  EXPECT_NE(std::string(e.what()).find("blur_sharpness"), std::string::npos) << e.what();
  EXPECT_EQ(error_of(cams + "quality: {thresholds: {covered_min: 2}}\n").field(),
            "quality.thresholds.covered_min");
  EXPECT_EQ(error_of("cameras:\n  - {id: a, main: rtsp://h/s, quality: {dark: 3}}\n").field(),
            "cameras[0].quality.dark");
  EXPECT_EQ(error_of("cameras:\n  - {id: a, main: rtsp://h/s, quality: maybe}\n").field(),
            "cameras[0].quality");
}

TEST(Config, DemoConfigLoads) {
  const char* src = std::getenv("VIDEOWALL_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  Config c = load_config_file(std::string(src) + "/assets/demo/config.yaml");
  EXPECT_EQ(c.cameras.size(), 16u);
  EXPECT_EQ(c.tiles.size(), 16u);
  EXPECT_EQ(c.wall.layout, "3x3");
  for (const auto& cam : c.cameras) EXPECT_FALSE(cam.sub_url.empty()) << cam.id;
  EXPECT_EQ(c.panel.placement, renderer::UiPlacement::Overlay);
  EXPECT_TRUE(c.panel.visible);
}

}  // namespace
}  // namespace vw::controller

namespace vw::controller {
namespace {

constexpr const char* kCamera = "cameras:\n  - {id: a, main: rtsp://h/s}\n";

TEST(Config, OutputsLoadWithTheirDefaults) {
  const Config c = load_config_text(std::string(kCamera) +
                                        "output_rtsp: {port: 9554}\n"
                                        "outputs:\n"
                                        "  - {id: conference, name: 视频会议, start: true}\n"
                                        "  - id: corner\n"
                                        "    region: [0, 0, 960, 540]\n"
                                        "    size: [640, 360]\n"
                                        "    fps: 15\n"
                                        "    bitrate_kbps: 800\n"
                                        "    keyframe_s: 2\n"
                                        "    sinks: [record]\n"
                                        "    record: {dir: rec, segment_s: 30, max_mb: 512}\n",
                                    "test.yaml", "/etc/videowall");
  ASSERT_EQ(c.outputs.size(), 2u);
  EXPECT_EQ(c.output_rtsp.port, 9554);
  const OutputConfig& a = c.outputs[0];
  EXPECT_EQ(a.name, "视频会议");
  EXPECT_TRUE(a.start);
  EXPECT_EQ(a.region[2], 0) << "the whole wall";
  EXPECT_EQ(a.width, 1280);
  EXPECT_EQ(a.height, 720);
  EXPECT_EQ(a.fps, 25);
  EXPECT_EQ(a.keyframe_s, 1);
  const OutputConfig& b = c.outputs[1];
  EXPECT_EQ(b.name, "corner") << "the name defaults to the id";
  EXPECT_EQ(b.region, (std::array<int, 4>{0, 0, 960, 540}));
  EXPECT_EQ(b.width, 640);
  EXPECT_EQ(b.fps, 15);
  EXPECT_EQ(b.bitrate_kbps, 800);
  EXPECT_EQ(b.keyframe_s, 2);
  EXPECT_FALSE(b.start);
  EXPECT_TRUE(a.rtsp) << "rtsp is the default sink";
  EXPECT_FALSE(a.record);
  EXPECT_FALSE(b.rtsp) << "sinks: [record] alone";
  EXPECT_TRUE(b.record);
  EXPECT_EQ(b.record_dir, "/etc/videowall/rec") << "relative to the config's folder";
  EXPECT_EQ(b.segment_s, 30);
  EXPECT_EQ(b.record_max_bytes, 512ull * 1024 * 1024);
}

TEST(Config, OutputSrtAndRtmpSinksLoad) {
  const Config c = load_config_text(
      std::string(kCamera) +
          "outputs:\n"
          "  - {id: a, sinks: [rtsp, srt, rtmp], srt: {address: '127.0.0.1:9000'},\n"
          "     rtmp: {url: 'rtmp://127.0.0.1:1935/live/wall'}}\n"
          "  - id: b\n"
          "    sinks: [srt, rtmp]\n"
          "    srt: {mode: caller, address: '[2001:db8::5]:9001', passphrase: jianghan-2026-key,\n"
          "          key_bits: 256, latency_ms: 400}\n"
          "    rtmp: {url: 'rtmp://mcu.gov/app/key', cleartext: true}\n"
          "  - {id: c, sinks: [rtmp], rtmp: {url: 'rtmps://mcu.gov:443/app/key'}, encoder: "
          "openh264}\n",
      "test.yaml", "/");
  ASSERT_EQ(c.outputs.size(), 3u);
  const OutputConfig& a = c.outputs[0];
  EXPECT_TRUE(a.rtsp && a.srt && a.rtmp && !a.record);
  EXPECT_TRUE(a.srt_sink.listener);
  EXPECT_EQ(a.srt_sink.host, "127.0.0.1");
  EXPECT_EQ(a.srt_sink.port, 9000);
  EXPECT_EQ(a.srt_sink.passphrase, "") << "unencrypted is allowed on loopback";
  EXPECT_EQ(a.srt_sink.key_bits, 128);
  EXPECT_EQ(a.srt_sink.latency_ms, 120);
  EXPECT_EQ(a.rtmp_url, "rtmp://127.0.0.1:1935/live/wall");
  const OutputConfig& b = c.outputs[1];
  EXPECT_FALSE(b.rtsp) << "sinks replace the default rtsp";
  EXPECT_FALSE(b.srt_sink.listener);
  EXPECT_EQ(b.srt_sink.host, "2001:db8::5");
  EXPECT_EQ(b.srt_sink.port, 9001);
  EXPECT_EQ(b.srt_sink.passphrase, "jianghan-2026-key");
  EXPECT_EQ(b.srt_sink.key_bits, 256);
  EXPECT_EQ(b.srt_sink.latency_ms, 400);
  EXPECT_EQ(b.rtmp_url, "rtmp://mcu.gov/app/key");
  EXPECT_EQ(c.outputs[2].rtmp_url, "rtmps://mcu.gov:443/app/key");
  EXPECT_EQ(c.outputs[2].encoder, "openh264");
  EXPECT_EQ(a.tile, 0);
  EXPECT_EQ(a.encoder, "auto");
  const Config t = load_config_text(
      std::string(kCamera) + "outputs:\n  - {id: t, source: tile, tile: 3}\n", "test.yaml", "/");
  EXPECT_EQ(t.outputs[0].tile, 3);
  EXPECT_EQ(t.outputs[0].region[2], 0);
}

TEST(Config, OutputRtspUsersOpenTheServerBeyondLoopback) {
  const Config c = load_config_text(std::string(kCamera) +
                                        "output_rtsp:\n  address: 0.0.0.0\n  users:\n"
                                        "    - {name: mcu, password: 'jianghan-2026'}\n"
                                        "    - {name: leader.laptop, password: 'another-secret'}\n",
                                    "test.yaml", "/");
  EXPECT_EQ(c.output_rtsp.address, "0.0.0.0");
  ASSERT_EQ(c.output_rtsp.users.size(), 2u);
  EXPECT_EQ(c.output_rtsp.users[0], (OutputRtspUser{"mcu", "jianghan-2026"}));
  EXPECT_EQ(c.output_rtsp.users[1].name, "leader.laptop");
  // Loopback by default, and without users.
  const Config d = load_config_text(std::string(kCamera), "test.yaml", "/");
  EXPECT_EQ(d.output_rtsp.address, "127.0.0.1");
  EXPECT_TRUE(d.output_rtsp.users.empty());
}

TEST(Config, OutputWhepServesBrowsersAndNeedsATokenBeyondLoopback) {
  const Config c = load_config_text(
      std::string(kCamera) +
          "outputs:\n  - {id: m, sinks: [rtsp, whep]}\n  - {id: r, sinks: [rtsp]}\n"
          "output_whep:\n  address: '0.0.0.0:8890'\n  token: 'a-long-enough-token-2026'\n"
          "  ice_addresses: [10.20.0.4, 'fd00::4']\n  max_viewers: 20\n",
      "test.yaml", "/");
  EXPECT_TRUE(c.outputs[0].whep);
  EXPECT_TRUE(c.outputs[0].rtsp);
  EXPECT_FALSE(c.outputs[1].whep);
  EXPECT_EQ(c.output_whep.address, "0.0.0.0");
  EXPECT_EQ(c.output_whep.port, 8890);
  EXPECT_EQ(c.output_whep.token, "a-long-enough-token-2026");
  EXPECT_EQ(c.output_whep.ice_addresses, (std::vector<std::string>{"10.20.0.4", "fd00::4"}));
  EXPECT_EQ(c.output_whep.max_viewers, 20);
  // Loopback on 8889 by default, without a token, every address for ICE.
  const Config d = load_config_text(std::string(kCamera), "test.yaml", "/");
  EXPECT_EQ(d.output_whep, OutputWhepConfig{});
  EXPECT_EQ(d.output_whep.address, "127.0.0.1");
  EXPECT_EQ(d.output_whep.port, 8889);
}

TEST(Config, EachOutputMistakeIsNamed) {
  struct Case {
    const char* yaml;
    int line;
    const char* field;
    const char* says;
  };
  const Case cases[] = {
      {"outputs: {id: a}\n", 3, "outputs", "list"},
      {"outputs:\n  - {name: x}\n", 4, "outputs[0].id", "letters"},
      {"outputs:\n  - {id: a b}\n", 4, "outputs[0].id", "letters"},
      {"outputs:\n  - {id: a}\n  - {id: a}\n", 5, "outputs[1].id", "unique"},
      {"outputs:\n  - {id: a, size: [641, 360]}\n", 4, "outputs[0].size", "even"},
      {"outputs:\n  - {id: a, region: [1900, 0, 100, 100]}\n", 4, "outputs[0].region[2]", ""},
      {"outputs:\n  - {id: a, sinks: [webrtc]}\n", 4, "outputs[0].sinks[0]", "not a sink"},
      {"outputs:\n  - {id: a, sinks: [srt]}\n", 4, "outputs[0].srt", "srt: {address"},
      {"outputs:\n  - {id: a, srt: {address: '127.0.0.1:9000'}}\n", 4, "outputs[0].srt",
       "add srt to sinks"},
      {"outputs:\n  - {id: a, sinks: [srt], srt: {address: '127.0.0.1'}}\n", 4,
       "outputs[0].srt.address", "HOST:PORT"},
      {"outputs:\n  - {id: a, sinks: [srt], srt: {address: 'wall:9000'}}\n", 4,
       "outputs[0].srt.address", "numeric"},
      {"outputs:\n  - {id: a, sinks: [srt], srt: {address: '0.0.0.0:9000'}}\n", 4,
       "outputs[0].srt.address", "needs a passphrase"},
      {"outputs:\n  - {id: a, sinks: [srt], srt: {address: '127.0.0.1:9000', "
       "passphrase: short}}\n",
       4, "outputs[0].srt.passphrase", "10-79"},
      {"outputs:\n  - {id: a, sinks: [srt], srt: {address: '127.0.0.1:9000', mode: push}}\n", 4,
       "outputs[0].srt.mode", "listener"},
      {"outputs:\n  - {id: a, sinks: [srt], srt: {address: '127.0.0.1:9000', key_bits: 512}}\n", 4,
       "outputs[0].srt.key_bits", ""},
      {"outputs:\n  - {id: a, sinks: [srt], srt: {address: '127.0.0.1:9000'}}\n"
       "  - {id: b, sinks: [srt], srt: {address: '127.0.0.1:9000'}}\n",
       5, "outputs[1].srt.address", "own port"},
      {"outputs:\n  - {id: a, sinks: [rtmp]}\n", 4, "outputs[0].rtmp", "rtmp: {url"},
      {"outputs:\n  - {id: a, sinks: [rtmp], rtmp: {url: 'http://x/live/a'}}\n", 4,
       "outputs[0].rtmp.url", "rtmp://"},
      {"outputs:\n  - {id: a, sinks: [rtmp], rtmp: {url: 'rtmp://127.0.0.1/live'}}\n", 4,
       "outputs[0].rtmp.url", "APP/STREAM"},
      {"outputs:\n  - {id: a, sinks: [rtmp], rtmp: {url: 'rtmp://mcu.gov/live/wall'}}\n", 4,
       "outputs[0].rtmp.url", "rtmps://"},
      {"outputs:\n  - {id: a, sinks: [rtmp], rtmp: {url: 'rtmp://u:p@127.0.0.1.mcu.gov/l/w'}}\n", 4,
       "outputs[0].rtmp.url", "unencrypted to 127.0.0.1.mcu.gov"},
      {"outputs:\n  - {id: a, record: {segment_s: 10}}\n", 4, "outputs[0].record",
       "add record to sinks"},
      {"outputs:\n  - {id: a, sinks: [record], record: {segment_s: 0}}\n", 4,
       "outputs[0].record.segment_s", ""},
      {"outputs:\n  - {id: a, source: tile}\n", 4, "outputs[0].tile", "tile: 1"},
      {"outputs:\n  - {id: a, source: camera}\n", 4, "outputs[0].source", "tile"},
      {"outputs:\n  - {id: a, tile: 2}\n", 4, "outputs[0].tile", "source: tile"},
      {"outputs:\n  - {id: a, source: tile, tile: 0}\n", 4, "outputs[0].tile", ""},
      {"outputs:\n  - {id: a, source: tile, tile: 2, region: [0, 0, 10, 10]}\n", 4,
       "outputs[0].region", "follows the tile"},
      {"outputs:\n  - {id: a, fps: 120}\n", 4, "outputs[0].fps", ""},
      {"outputs:\n  - {id: a, encoder: h265}\n", 4, "outputs[0].encoder", "auto, nvenc"},
      {"outputs:\n  - {id: a, colour: red}\n", 4, "outputs[0].colour", ""},
      {"output_rtsp: {port: 70000}\n", 3, "output_rtsp.port", ""},
      {"output_whep: {address: '0.0.0.0:8889'}\n", 3, "output_whep.address", "output_whep.token"},
      {"output_whep: {address: 'localhost:8889'}\n", 3, "output_whep.address", "numeric"},
      {"output_whep: {address: '127.0.0.1'}\n", 3, "output_whep.address", "HOST:PORT"},
      {"output_whep: {token: short}\n", 3, "output_whep.token", "16-128"},
      {"output_whep: {token: 'has a space in it, long'}\n", 3, "output_whep.token", "spaces"},
      {"output_whep: {ice_addresses: [eth0]}\n", 3, "output_whep.ice_addresses[0]", "numeric"},
      {"output_whep: {ice_addresses: []}\n", 3, "output_whep.ice_addresses", "1-16"},
      {"output_whep: {max_viewers: 0}\n", 3, "output_whep.max_viewers", ""},
      {"output_whep: {stun: 'stun:x'}\n", 3, "output_whep.stun", ""},
      {"output_rtsp: {address: wall.local}\n", 3, "output_rtsp.address", "numeric"},
      {"output_rtsp: {address: 0.0.0.0}\n", 3, "output_rtsp.address", "output_rtsp.users"},
      {"output_rtsp: {address: '::'}\n", 3, "output_rtsp.address", "not a loopback"},
      {"output_rtsp: {users: []}\n", 3, "output_rtsp.users", "1-16"},
      {"output_rtsp:\n  users:\n    - {name: mcu}\n", 5, "output_rtsp.users[0].password",
       "missing"},
      {"output_rtsp:\n  users:\n    - {name: mcu, password: short}\n", 5,
       "output_rtsp.users[0].password", "8-128"},
      {"output_rtsp:\n  users:\n    - {name: 'a b', password: longenough}\n", 5,
       "output_rtsp.users[0].name", "letters"},
      {"output_rtsp:\n  users:\n    - {name: mcu, password: longenough}\n"
       "    - {name: mcu, password: longenough2}\n",
       6, "output_rtsp.users[1].name", "twice"},
      {"output_rtsp:\n  users:\n    - {name: mcu, password: longenough, role: x}\n", 5,
       "output_rtsp.users[0].role", ""},
  };
  for (const auto& c : cases) {
    auto e = error_of(std::string(kCamera) + c.yaml);
    EXPECT_EQ(e.line(), c.line) << c.yaml << " -> " << e.what();
    EXPECT_EQ(e.field(), c.field) << c.yaml << " -> " << e.what();
    EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vw::controller
