// The SRT and RTMP sinks of the live outputs end to end: a real daemon (four solid-colour cameras
// on 2x2) sends its wall out, and clients we did not write receive it: ffmpeg (libsrt) as an SRT
// caller with the right, a wrong and no passphrase, ffmpeg as an SRT listener the daemon calls,
// and a real RTMP server (nginx with libnginx-mod-rtmp) that the daemon pushes to and ffmpeg
// reads back, killed and started again under the push.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/controller/api_daemon.hpp"
#include "tests/controller/output_status.hpp"
#include "tests/support/eventually.hpp"

namespace vw::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kWidth = 320, kHeight = 180;  // each output's picture: the 640x360 wall at half
constexpr const char* kPassphrase = "jianghan-wall-2026";

// The first frame ffmpeg decodes from `url` as RGB (empty when it got none), and its log.
struct Grab {
  std::string rgb;
  std::string log;
  std::uint32_t at(int x, int y) const {
    const auto* p = reinterpret_cast<const unsigned char*>(&rgb[(y * kWidth + x) * 3]);
    return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
  }
};
Grab grab(const std::string& url, const fs::path& file, std::chrono::seconds bound = 20s) {
  fs::remove(file);
  const auto r = run_process("/usr/bin/ffmpeg",
                             {"-nostdin", "-v", "error", "-y", "-i", url, "-frames:v", "1", "-f",
                              "rawvideo", "-pix_fmt", "rgb24", file.string()},
                             bound);
  Grab g;
  g.log = "ffmpeg exit " + std::to_string(r.exit_code) + ": " + r.output;
  const std::string bytes = read_text(file);
  if (r.exit_code == 0 && bytes.size() == static_cast<std::size_t>(kWidth * kHeight * 3))
    g.rgb = bytes;
  return g;
}

// Whether the grabbed frame has each camera's colour where the 2x2 layout puts it.
bool tiles_right(const Grab& g, std::string& seen) {
  return !g.rgb.empty() && tiles_at_half_size([&](int x, int y) { return g.at(x, y); }, seen);
}

// Grabs frames from `url` until one shows the tiles (bounded); what was seen goes to `why`.
bool shows_the_tiles(const std::string& url, const fs::path& file, std::string& why) {
  Grab frame;
  std::string seen;
  const bool shown = eventually(
      [&] {
        frame = grab(url, file);
        return tiles_right(frame, seen);
      },
      90s, 0ms);
  why = seen + frame.log;
  return shown;
}

bool accepts_tcp(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (fd >= 0) ::close(fd);
  return ok;
}

// A real RTMP server on 127.0.0.1: nginx with Debian's RTMP module, in a folder of its own.
class NginxRtmp {
 public:
  NginxRtmp(fs::path dir, int port) : dir_(std::move(dir)), port_(port) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "nginx.conf")
        << "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n"
           "daemon off;\nmaster_process off;\n"
           "error_log "
        << (dir_ / "error.log").string() << " info;\npid " << (dir_ / "nginx.pid").string()
        << ";\nevents { worker_connections 64; }\n"
           "rtmp { server { listen 127.0.0.1:"
        << port_ << "; application live { live on; wait_key on; } } }\n";
  }
  ~NginxRtmp() { kill(); }
  // Starts nginx and waits (bounded) until it accepts connections.
  bool start() {
    process_ = std::make_unique<DaemonProcess>(
        "/usr/sbin/nginx",
        std::vector<std::string>{"-p", dir_.string(), "-c", (dir_ / "nginx.conf").string()},
        (dir_ / "stdout.log").string());
    process_->start();
    return eventually([&] { return accepts_tcp(port_); }, 20s, 50ms);
  }
  void kill() {
    if (process_) process_->kill_hard();
    process_.reset();
  }
  std::string log() const { return read_text(dir_ / "error.log") + read_text(dir_ / "stdout.log"); }

 private:
  fs::path dir_;
  int port_;
  std::unique_ptr<DaemonProcess> process_;
};

class OutputPushes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srt_port_ = free_udp_port();
    caller_port_ = free_udp_port();
    tile_port_ = free_udp_port();
    rtmp_port_ = free_tcp_port();
    const fs::path base = fs::temp_directory_path() / ("vw-push-" + std::to_string(::getpid()));
    nginx_ = new NginxRtmp(base / "nginx", rtmp_port_);
    ASSERT_TRUE(nginx_->start()) << nginx_->log();
    const std::string size =
        "size: [" + std::to_string(kWidth) + ", " + std::to_string(kHeight) + "], fps: 10";
    daemon_ = new ApiDaemon(
        "pushes",
        "api: {anonymous_role: operator}\n"
        "outputs:\n"
        "  - {id: srt-out, " +
            size + ", sinks: [srt], start: true,\n     srt: {address: \"127.0.0.1:" +
            std::to_string(srt_port_) + "\", passphrase: " + kPassphrase +
            "}}\n"
            "  - {id: rtmp-out, " +
            size + ", sinks: [rtmp], start: true,\n     rtmp: {url: \"rtmp://127.0.0.1:" +
            std::to_string(rtmp_port_) +
            "/live/wall\"}}\n"
            "  - {id: srt-call, " +
            size + ", sinks: [srt],\n     srt: {mode: caller, address: \"127.0.0.1:" +
            std::to_string(caller_port_) +
            "\"}}\n"
            "  - {id: tile2, source: tile, tile: 2, " +
            size + ", sinks: [srt], start: true,\n     srt: {address: \"127.0.0.1:" +
            std::to_string(tile_port_) + "\"}}\n");
    daemon_->start();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
    delete nginx_;
    nginx_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(daemon_ && daemon_->process().running());
    ASSERT_TRUE(nginx_ != nullptr);
  }

  static std::string srt_url(const std::string& passphrase) {
    return "srt://127.0.0.1:" + std::to_string(srt_port_) +
           (passphrase.empty() ? "" : "?passphrase=" + passphrase + "&pbkeylen=16");
  }
  static std::string rtmp_url() {
    return "rtmp://127.0.0.1:" + std::to_string(rtmp_port_) + "/live/wall";
  }
  static fs::path file(const std::string& name) { return daemon_->dir() / name; }

  static ApiDaemon* daemon_;
  static NginxRtmp* nginx_;
  static int srt_port_, caller_port_, tile_port_, rtmp_port_;
};
ApiDaemon* OutputPushes::daemon_ = nullptr;
NginxRtmp* OutputPushes::nginx_ = nullptr;
int OutputPushes::srt_port_ = 0;
int OutputPushes::caller_port_ = 0;
int OutputPushes::tile_port_ = 0;
int OutputPushes::rtmp_port_ = 0;

TEST_F(OutputPushes, AnSrtCallerWithThePassphraseSeesTheTilesAndOthersAreRejected) {
  std::string why;
  EXPECT_TRUE(shows_the_tiles(srt_url(kPassphrase), file("srt.rgb"), why))
      << why << daemon_->process().log();
  // The handshake itself refuses a wrong passphrase and none at all: no frame, a failed exit.
  const Grab wrong = grab(srt_url("not-the-passphrase"), file("wrong.rgb"));
  EXPECT_TRUE(wrong.rgb.empty()) << wrong.log;
  EXPECT_EQ(wrong.log.rfind("ffmpeg exit 1", 0), 0u) << wrong.log;
  const Grab none = grab(srt_url(""), file("none.rgb"));
  EXPECT_TRUE(none.rgb.empty()) << none.log;
  EXPECT_EQ(none.log.rfind("ffmpeg exit 1", 0), 0u) << none.log;
  // status names the sink and what it sent.
  const json o = output_of_status(*daemon_, "srt-out");
  ASSERT_TRUE(o.contains("srt")) << o.dump();
  EXPECT_EQ(o["srt"].value("mode", ""), "listener") << o.dump();
  EXPECT_EQ(o["srt"].value("address", ""), "srt://127.0.0.1:" + std::to_string(srt_port_));
  EXPECT_TRUE(o["srt"].value("encrypted", false)) << o.dump();
  EXPECT_EQ(o["srt"].value("state", ""), "running") << o.dump();
  EXPECT_GE(o["srt"].value("clients", -1), 0) << o.dump();
  EXPECT_GT(o["srt"].value("bytes_sent", 0), 0) << "counted after the caller left: " << o.dump();
  EXPECT_EQ(o["srt"].value("packets_lost", -1), 0) << "loopback loses nothing: " << o.dump();
  EXPECT_TRUE(o["srt"].contains("packets_retransmitted")) << o.dump();
  EXPECT_EQ(o["sinks"], json::array({"srt"})) << o.dump();
  // wallctl's list shows where each output goes.
  const auto r = daemon_->wallctl({"output", "list"});
  EXPECT_NE(r.output.find("srt://127.0.0.1:" + std::to_string(srt_port_)), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(rtmp_url()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("srt://127.0.0.1:" + std::to_string(caller_port_) + "?mode=caller"),
            std::string::npos)
      << r.output;
}

TEST_F(OutputPushes, AnSrtCallerOutputReachesAListenerStartedBeforeIt) {
  // ffmpeg listens; starting the output makes the daemon call it.
  const fs::path out = file("caller.rgb");
  fs::remove(out);
  const pid_t listener = [&] {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const std::string url = "srt://127.0.0.1:" + std::to_string(caller_port_) + "?mode=listener";
      ::execl("/usr/bin/ffmpeg", "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", url.c_str(),
              "-frames:v", "25", "-f", "rawvideo", "-pix_fmt", "rgb24", out.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  }();
  ASSERT_GT(listener, 0);
  auto r = daemon_->wallctl({"output", "start", "srt-call"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // 25 frames at 10 fps, one after the other in the file: the last one is checked.
  const int code = wait_exit(listener, 60s);
  EXPECT_EQ(code, 0) << daemon_->process().log();
  const std::string frames = read_text(out);
  constexpr std::size_t kFrame = std::size_t(kWidth) * kHeight * 3;
  Grab frame;
  if (frames.size() >= kFrame && frames.size() % kFrame == 0)
    frame.rgb = frames.substr(frames.size() - kFrame);
  std::string seen;
  EXPECT_TRUE(tiles_right(frame, seen)) << seen << " (" << frames.size() << " bytes)";
  const json o = output_of_status(*daemon_, "srt-call");
  EXPECT_EQ(o["srt"].value("mode", ""), "caller") << o.dump();
  EXPECT_FALSE(o["srt"].value("encrypted", true)) << o.dump();
  r = daemon_->wallctl({"output", "stop", "srt-call"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(OutputPushes, AnRtmpPushIsReadBackFromTheServerAndComesBackAfterTheServerDies) {
  std::string why;
  EXPECT_TRUE(shows_the_tiles(rtmp_url(), file("rtmp.rgb"), why))
      << why << nginx_->log() << daemon_->process().log();
  json o = output_of_status(*daemon_, "rtmp-out");
  EXPECT_EQ(o["rtmp"].value("state", ""), "running") << o.dump();
  EXPECT_EQ(o["rtmp"].value("url", ""), rtmp_url()) << o.dump();
  EXPECT_GT(o["rtmp"].value("bytes_sent", 0), 0) << o.dump();

  // The server vanishes: the push fails and is restarted by itself; the output and the other
  // outputs run on.
  const int restarts_before = o["rtmp"].value("restarts", 0);
  const auto srt_frames = output_of_status(*daemon_, "srt-out").value("frames_encoded", 0);
  nginx_->kill();
  EXPECT_TRUE(eventually(
      [&] {
        o = output_of_status(*daemon_, "rtmp-out");
        return o["rtmp"].value("restarts", 0) > restarts_before;
      },
      60s, 200ms))
      << o.dump() << daemon_->process().log();
  EXPECT_EQ(o.value("state", ""), "running") << "the output itself runs on: " << o.dump();
  json srt;
  EXPECT_TRUE(eventually(
      [&] {
        srt = output_of_status(*daemon_, "srt-out");
        return srt.value("frames_encoded", 0) >= srt_frames + 10;
      },
      30s, 200ms))
      << srt.dump();

  // Back: the next restart reaches it and the stream reads back again.
  ASSERT_TRUE(nginx_->start()) << nginx_->log();
  EXPECT_TRUE(shows_the_tiles(rtmp_url(), file("rtmp2.rgb"), why))
      << why << nginx_->log() << daemon_->process().log();
  o = output_of_status(*daemon_, "rtmp-out");
  EXPECT_GE(o["rtmp"].value("restarts", 0), 1) << o.dump();
  EXPECT_FALSE(o["rtmp"].value("restarted_for", "").empty()) << o.dump();
}

// source: tile follows tile 2 (green) through a maximize of another tile and a layout without it.
TEST_F(OutputPushes, ATileOutputShowsItsTileWhereverTheLayoutPutsIt) {
  const std::string url = "srt://127.0.0.1:" + std::to_string(tile_port_);
  // The whole picture is the tile: its centre and its lower part, left and right (the label is at
  // the top, a frame line around the edge).
  auto all = [&](std::uint32_t colour, Grab& frame) {
    frame = grab(url, file("tile.rgb"));
    return !frame.rgb.empty() && near_colour(frame.at(160, 90), colour) &&
           near_colour(frame.at(60, 140), colour) && near_colour(frame.at(260, 140), colour);
  };
  Grab frame;
  auto seen = [&] {
    char text[96];
    if (frame.rgb.empty()) return "no frame; " + frame.log;
    std::snprintf(text, sizeof text, "centre %06x, (60,140) %06x, (260,140) %06x; ",
                  frame.at(160, 90), frame.at(60, 140), frame.at(260, 140));
    return text + frame.log;
  };
  EXPECT_TRUE(eventually([&] { return all(kGreen, frame); }, 90s, 0ms)) << seen();
  // Tile 4 maximized covers tile 2's place: the output shows what the wall shows there.
  auto r = daemon_->wallctl({"maximize", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(eventually([&] { return all(kWhite, frame); }, 30s, 0ms)) << seen();
  r = daemon_->wallctl({"restore"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // A layout without a tile 2: black, not another part of the wall.
  r = daemon_->wallctl({"layout", "set", "1x1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(eventually([&] { return all(0x000000, frame); }, 30s, 0ms)) << seen();
  json o = output_of_status(*daemon_, "tile2");
  EXPECT_EQ(o.value("source", ""), "tile") << o.dump();
  EXPECT_EQ(o.value("tile", 0), 2) << o.dump();
  EXPECT_FALSE(o.value("tile_in_layout", true)) << o.dump();
  r = daemon_->wallctl({"layout", "set", "2x2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(eventually([&] { return all(kGreen, frame); }, 30s, 0ms)) << seen();
  EXPECT_TRUE(output_of_status(*daemon_, "tile2").value("tile_in_layout", false));
}

}  // namespace
}  // namespace vw::testing
