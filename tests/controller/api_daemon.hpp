// A real videowall daemon with its control API, for the API tests: four solid-colour cameras
// from a real RTSP server (videowall-camsim), a headless wall, a state folder of its own and
// free loopback ports. wallctl() runs the real wallctl against it; client() talks to it in
// process. Every wait is bounded.
#pragma once

#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "controller/api/api_client.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/process.hpp"

namespace vw::testing {

namespace fs = std::filesystem;

inline constexpr std::uint32_t kRed = 0xff0000, kGreen = 0x00ff00, kBlue = 0x0000ff,
                               kWhite = 0xffffff;

class ApiDaemon {
 public:
  // `extra_yaml` is appended to the config (e.g. an api: section with CURVE). By default local
  // clients operate the wall (the daemon's own default is viewer).
  // `wall`: the config's wall mapping (e.g. with render_path: gpu).
  explicit ApiDaemon(const std::string& name,
                     std::string extra_yaml = "api: {anonymous_role: operator}\n",
                     std::string wall = "{width: 640, height: 360, layout: 2x2}")
      : dir_(fs::temp_directory_path() / ("vw-api-" + name + "-" + std::to_string(::getpid()))),
        extra_yaml_(std::move(extra_yaml)),
        wall_(std::move(wall)) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    endpoint_ = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
    pub_endpoint_ = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
    metrics_port_ = free_tcp_port();
  }
  ~ApiDaemon() {
    daemon_.reset();
    fs::remove_all(dir_);
  }

  // Starts the cameras (once) and the daemon; fails the test if the API is not up in 60 s.
  void start(std::vector<std::string> extra_args = {}) {
    if (!cameras_) {
      cameras_ =
          std::make_unique<CamsimProcess>(std::vector<SimCameraSpec>{{"/red", kRed, 320, 180},
                                                                     {"/green", kGreen, 320, 180},
                                                                     {"/blue", kBlue, 320, 180},
                                                                     {"/white", kWhite, 320, 180}});
      cameras_->start();
      write_config(extra_yaml_);
    }
    std::vector<std::string> args{"--config",
                                  config_path(),
                                  "--headless",
                                  "--state-dir",
                                  state_dir(),
                                  "--api-endpoint",
                                  endpoint_,
                                  "--pub-endpoint",
                                  pub_endpoint_,
                                  "--snapshot-dir",
                                  (dir_ / "snapshots").string(),
                                  "--metrics",
                                  "127.0.0.1:" + std::to_string(metrics_port_)};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    daemon_ = std::make_unique<DaemonProcess>(VIDEOWALL_BIN, args, (dir_ / "daemon.log").string());
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_for_log("API: requests on", std::chrono::seconds(60)))
        << daemon_->log();
  }

  // The config: wall 640x360 on 2x2, cameras red/green/blue/white named 红色/绿色/蓝色/白色.
  void write_config(const std::string& extra_yaml, const std::string& extra_cameras = {}) {
    std::ofstream(config_path()) << "wall: " << wall_ << "\n"
                                 << "streams: {latency_ms: 100}\n"
                                 << "cameras:\n"
                                 << "  - {id: red, name: 红色, street: 民族街, main: \""
                                 << cameras_->url("/red") << "\"}\n"
                                 << "  - {id: green, name: 绿色, street: 花楼街, main: \""
                                 << cameras_->url("/green") << "\"}\n"
                                 << "  - {id: blue, name: 蓝色, street: 民族街, main: \""
                                 << cameras_->url("/blue") << "\"}\n"
                                 << "  - {id: white, name: 白色, street: 花楼街, main: \""
                                 << cameras_->url("/white") << "\"}\n"
                                 << extra_cameras << extra_yaml;
  }

  ProcessResult wallctl(std::vector<std::string> args,
                        std::vector<std::string> options = {}) const {
    std::vector<std::string> all{"--endpoint", endpoint_, "--pub-endpoint", pub_endpoint_};
    all.insert(all.end(), options.begin(), options.end());
    all.insert(all.end(), args.begin(), args.end());
    return run_process(WALLCTL_BIN, all, std::chrono::seconds(30));
  }

  controller::api::ClientOptions client_options() const {
    controller::api::ClientOptions options;
    options.endpoint = endpoint_;
    options.pub_endpoint = pub_endpoint_;
    options.timeout = std::chrono::seconds(10);
    return options;
  }

  DaemonProcess& process() { return *daemon_; }
  const fs::path& dir() const { return dir_; }
  std::string config_path() const { return (dir_ / "wall.yaml").string(); }
  std::string state_dir() const { return (dir_ / "state").string(); }
  std::string audit_path() const { return (dir_ / "state" / "audit.log").string(); }
  std::string refusals_path() const { return (dir_ / "state" / "audit-refusals.log").string(); }
  std::string audit_key_path() const { return (dir_ / "state" / "audit.key").string(); }
  CamsimProcess& cameras() { return *cameras_; }
  std::string metrics_url() const { return "http://127.0.0.1:" + std::to_string(metrics_port_); }

 private:
  fs::path dir_;
  std::string extra_yaml_;
  std::string wall_;
  std::string endpoint_, pub_endpoint_;
  int metrics_port_ = 0;
  std::unique_ptr<CamsimProcess> cameras_;
  std::unique_ptr<DaemonProcess> daemon_;
};

// RGBA pixels of a PNG file, or an empty vector.
struct Png {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
  // 0xRRGGBB at (x, y)
  std::uint32_t rgb(int x, int y) const {
    const auto* p = &rgba[static_cast<std::size_t>((y * width + x) * 4)];
    return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
  }
};

inline Png read_png_file(const std::string& path) {
  Png png;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) return png;
  image.format = PNG_FORMAT_RGBA;
  png.rgba.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, png.rgba.data(), 0, nullptr)) return {};
  png.width = static_cast<int>(image.width);
  png.height = static_cast<int>(image.height);
  return png;
}

// true when `rgb` is within `tolerance` of `want` in every channel (video is lossy).
inline bool near_colour(std::uint32_t rgb, std::uint32_t want, int tolerance = 60) {
  for (int shift : {16, 8, 0}) {
    int a = int((rgb >> shift) & 0xff), b = int((want >> shift) & 0xff);
    if (std::abs(a - b) > tolerance) return false;
  }
  return true;
}

// Small helpers of the daemon tests.
inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// state.get's reply, checked.
inline nlohmann::json state_get(controller::api::ApiClient& client) {
  nlohmann::json reply = client.request({{"cmd", "state.get"}});
  EXPECT_EQ(reply.value("ok", false), true) << reply.dump();
  return reply;
}

// A command that must succeed.
inline void command(controller::api::ApiClient& client, const nlohmann::json& request) {
  nlohmann::json reply = client.request(request);
  ASSERT_EQ(reply.value("ok", false), true) << request.dump() << " -> " << reply.dump();
}

}  // namespace vw::testing
