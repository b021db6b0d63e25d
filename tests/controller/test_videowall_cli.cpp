// The videowall executable as a user meets it: exit codes and messages for bad configs, and a
// headless run that writes a snapshot showing the cameras.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <png.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/camsim_process.hpp"
#include "tests/support/process.hpp"

namespace vw::testing {
namespace {

namespace fs = std::filesystem;

// Runs videowall with `args` and a state folder of its own (never the user's), without the
// control API unless a test binds one (another videowall may be running on this machine).
ProcessResult run_videowall(std::vector<std::string> args, std::chrono::seconds timeout) {
  auto state = fs::temp_directory_path() / ("videowall-cli-state-" + std::to_string(getpid()));
  fs::remove_all(state);
  if (!args.empty()) {
    args.insert(args.end(), {"--state-dir", state.string()});  // owned strings, no temporaries
    if (std::find(args.begin(), args.end(), "--api-endpoint") == args.end())
      for (const char* extra : {"--api-endpoint", "off"}) args.emplace_back(extra);
  }
  auto result = run_process(VIDEOWALL_BIN, args, timeout);
  fs::remove_all(state);
  return result;
}

fs::path write_file(const std::string& name, const std::string& text) {
  auto dir = fs::temp_directory_path() / ("videowall-cli-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

TEST(VideowallCli, NoConfigIsAUsageError) {
  auto r = run_videowall({}, std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--config"), std::string::npos) << r.output;
}

TEST(VideowallCli, ConfigErrorsExitWith2AndNameFileLineField) {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"cameras:\n  - id: a\n    main: [unclosed\n", "bad.yaml:"},
      {"cameras:\n  - id: a\n    name: 无地址\n", "bad.yaml:2: cameras[0].main"},
      {"wall:\n  layout: 7x7\ncameras:\n  - {id: a, main: rtsp://127.0.0.1:1/a}\n",
       "bad.yaml:2: wall.layout: unknown layout \"7x7\""},
      {"api:\n  endpoint: tcp://0.0.0.0:5560\ncameras:\n  - {id: a, main: rtsp://127.0.0.1:1/a}\n",
       "bad.yaml:2: api.endpoint: tcp://0.0.0.0:5560 is not a loopback address"},
      {"api:\n  anonymous_role: root\ncameras:\n  - {id: a, main: rtsp://127.0.0.1:1/a}\n",
       "bad.yaml:2: api.anonymous_role: must be viewer, operator or admin"},
  };
  for (const auto& c : cases) {
    auto path = write_file("bad.yaml", c.text);
    auto r = run_videowall({"--config", path.string(), "--headless"}, std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << r.output;
  }
  auto r = run_videowall({"--config", "/nonexistent.yaml"}, std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("/nonexistent.yaml"), std::string::npos) << r.output;
}

// Reads an RGBA or RGB PNG; returns width, height and 4-byte pixels.
bool read_png(const fs::path& path, int& width, int& height, std::vector<std::uint8_t>& rgba) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) return false;
  image.format = PNG_FORMAT_RGBA;
  rgba.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, rgba.data(), 0, nullptr)) return false;
  width = static_cast<int>(image.width);
  height = static_cast<int>(image.height);
  return true;
}

// A config that holds camera passwords and that everyone may read is warned about at start
// (without quoting the password); 0640 is not.
TEST(VideowallCli, WorldReadableConfigWithPasswordsIsWarnedAbout) {
  auto config = write_file("secret.yaml",
                           "wall: {width: 320, height: 180, layout: 1x1}\n"
                           "cameras:\n"
                           "  - {id: gate, main: \"rtsp://admin:Sup3rSecret@127.0.0.1:9/gate\"}\n");
  auto png = config.parent_path() / "secret.png";
  for (const mode_t mode : {0644u, 0640u}) {
    ASSERT_EQ(::chmod(config.c_str(), mode), 0);
    auto r = run_videowall({"--config", config.string(), "--headless", "--snapshot", png.string(),
                            "--snapshot-after", "0.5"},
                           std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const bool warned = r.output.find("readable by everyone") != std::string::npos;
    EXPECT_EQ(warned, mode == 0644u) << std::oct << mode << ": " << r.output;
    EXPECT_EQ(r.output.find("Sup3rSecret"), std::string::npos) << r.output;
  }
}

TEST(VideowallCli, HeadlessSnapshotShowsTheCameras) {
  CamsimProcess cameras({{"/red", 0xff0000, 320, 180}, {"/blue", 0x0000ff, 320, 180}});
  cameras.start();
  auto config = write_file("wall.yaml",
                           "wall: {width: 800, height: 450, layout: 2x2}\n"
                           "cameras:\n"
                           "  - {id: red, name: 红色, main: \"" +
                               cameras.url("/red") +
                               "\"}\n"
                               "  - {id: blue, name: 蓝色, main: \"" +
                               cameras.url("/blue") + "\"}\n");
  auto png = config.parent_path() / "wall.png";
  fs::remove(png);
  auto r = run_videowall({"--config", config.string(), "--headless", "--snapshot", png.string(),
                          "--snapshot-after", "5"},
                         std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  int w = 0, h = 0;
  std::vector<std::uint8_t> px;
  ASSERT_TRUE(read_png(png, w, h, px)) << png;
  ASSERT_EQ(w, 800);
  ASSERT_EQ(h, 450);
  auto at = [&](int x, int y) { return &px[static_cast<std::size_t>((y * w + x) * 4)]; };
  const auto* red = at(200, 130);   // centre of tile 1 (below the label band)
  const auto* blue = at(600, 130);  // centre of tile 2
  EXPECT_GT(red[0], 200);
  EXPECT_LT(red[2], 60);
  EXPECT_GT(blue[2], 200);
  EXPECT_LT(blue[0], 60);
}

}  // namespace
}  // namespace vw::testing
