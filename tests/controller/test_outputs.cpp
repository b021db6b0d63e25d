// The wall's live outputs end to end: a real daemon (four solid-colour cameras on 2x2) serves its
// outputs over RTSP, and clients we did not write pull them: GStreamer's rtspsrc in another
// process (the pixels of each tile) and ffprobe (what the stream is).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/controller/api_daemon.hpp"
#include "tests/controller/output_status.hpp"
#include "tests/support/eventually.hpp"

namespace vw::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// RGB pixels of one decoded frame of an output.
struct Pulled {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  std::string log;
  std::uint32_t at(int x, int y) const {
    const auto* p = &rgb[static_cast<std::size_t>((y * width + x) * 3)];
    return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
  }
};

class Outputs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_ = free_tcp_port();
    daemon_ = new ApiDaemon("outputs",
                            "api: {anonymous_role: operator}\n"
                            "output_rtsp: {port: " +
                                std::to_string(port_) +
                                "}\n"
                                "outputs:\n"
                                "  - {id: conference, name: 视频会议, size: [320, 180], "
                                "fps: 10, start: true}\n"
                                "  - {id: corner, name: 左上角, region: [0, 0, 320, "
                                "180], size: [160, 90], fps: 10, start: true}\n"
                                "  - {id: spare, name: 备用}\n");
    daemon_->start();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(daemon_ && daemon_->process().running()); }

  static std::string url(const std::string& id) {
    return "rtsp://127.0.0.1:" + std::to_string(port_) + "/" + id;
  }

  // Decodes `frames` frames of output `id` with gst-launch-1.0 (rtspsrc over TCP) and returns
  // the last one, width x height RGB; empty when the client failed.
  static Pulled pull(const std::string& id, int width, int height, int frames = 6) {
    const fs::path dir = daemon_->dir() / ("pull-" + id);
    fs::remove_all(dir);
    fs::create_directories(dir);
    Pulled out;
    const auto r = run_process(
        "/usr/bin/gst-launch-1.0",
        {"-q", "rtspsrc", "location=" + url(id), "protocols=tcp", "latency=0", "!", "rtph264depay",
         "!", "avdec_h264", "!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "identity",
         "eos-after=" + std::to_string(frames), "!", "multifilesink",
         "location=" + (dir / "f%03d.rgb").string()},
        40s);
    out.log = r.output;
    // The last frame written (identity ends the stream at about `frames` buffers).
    std::string name;
    for (const auto& f : fs::directory_iterator(dir))
      name = std::max(name, f.path().filename().string());
    const std::string bytes = name.empty() ? std::string() : read_text(dir / name);
    if (r.exit_code != 0 || bytes.size() != static_cast<std::size_t>(width * height * 3)) {
      out.log += " (exit " + std::to_string(r.exit_code) + ", " + name + ": " +
                 std::to_string(bytes.size()) + " bytes; files:";
      for (const auto& f : fs::directory_iterator(dir))
        out.log += " " + f.path().filename().string() + "=" + std::to_string(f.file_size());
      out.log += ")";
      return out;
    }
    out.width = width;
    out.height = height;
    out.rgb.assign(bytes.begin(), bytes.end());
    return out;
  }

  static json status() {
    auto r = daemon_->wallctl({"--json", "status"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return json::parse(r.output, nullptr, false);
  }
  static json output_status(const std::string& id) {
    for (const auto& o : status().value("outputs", json::array())) {
      if (o.value("id", "") == id) return o;
    }
    return json::object();
  }

  static ApiDaemon* daemon_;
  static int port_;
};
ApiDaemon* Outputs::daemon_ = nullptr;
int Outputs::port_ = 0;

TEST_F(Outputs, AGStreamerClientSeesEachTileWhereTheLayoutPutsIt) {
  // The wall at half size: tile centres of 2x2 on 320x180, below the labels.
  Pulled frame;
  std::string seen;
  const bool shown = eventually(
      [&] {
        frame = pull("conference", 320, 180);
        return !frame.rgb.empty() &&
               tiles_at_half_size([&](int x, int y) { return frame.at(x, y); }, seen);
      },
      90s, 0ms);
  EXPECT_TRUE(shown) << seen << frame.log << daemon_->process().log();
}

TEST_F(Outputs, ARegionOutputShowsOnlyItsPartOfTheWall) {
  // The top-left quarter of the wall is tile 1, the red camera, scaled to 160x90.
  Pulled frame;
  const bool shown = eventually(
      [&] {
        frame = pull("corner", 160, 90);
        return !frame.rgb.empty() && near_colour(frame.at(80, 55), kRed) &&
               near_colour(frame.at(150, 20), kRed) && near_colour(frame.at(10, 80), kRed);
      },
      90s, 0ms);
  EXPECT_TRUE(shown) << frame.log;
}

TEST_F(Outputs, FfprobeReadsH264AtTheConfiguredSize) {
  json stream;
  std::string output;
  const bool read = eventually(
      [&] {
        const auto r = run_process(
            "/usr/bin/ffprobe",
            {"-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v", "-show_entries",
             "stream=codec_name,width,height", "-of", "json", url("conference")},
            30s);
        output = r.output;
        const json parsed = json::parse(r.output, nullptr, false);
        if (r.exit_code != 0 || !parsed.contains("streams") || parsed["streams"].empty())
          return false;
        stream = parsed["streams"][0];
        return true;
      },
      60s, 500ms);
  ASSERT_TRUE(read) << output;
  EXPECT_EQ(stream.value("codec_name", ""), "h264");
  EXPECT_EQ(stream.value("width", 0), 320);
  EXPECT_EQ(stream.value("height", 0), 180);
}

TEST_F(Outputs, AnOutputNotStartedIsNotServed) {
  const auto r =
      run_process("/usr/bin/ffprobe", {"-v", "error", "-rtsp_transport", "tcp", url("spare")}, 30s);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("404"), std::string::npos) << r.output;
}

TEST_F(Outputs, StatusReportsEachOutputWithItsClients) {
  // A client that keeps watching, in a process of its own.
  DaemonProcess watcher("/usr/bin/gst-launch-1.0",
                        {"-q", "rtspsrc", "location=" + url("conference"), "protocols=tcp", "!",
                         "rtph264depay", "!", "fakesink"},
                        (daemon_->dir() / "watcher.log").string());
  watcher.start();
  json conference;
  const bool watched = eventually(
      [&] {
        conference = output_status("conference");
        return conference.value("clients", 0) >= 1 && conference.value("frames_encoded", 0) > 0;
      },
      30s, 200ms);
  EXPECT_TRUE(watched) << conference.dump() << watcher.log();
  EXPECT_EQ(conference.value("state", ""), "running");
  EXPECT_EQ(conference.value("name", ""), "视频会议");
  EXPECT_EQ(conference.value("url", ""), url("conference"));
  EXPECT_EQ(conference.value("encoder", ""), "x264enc");
  EXPECT_EQ(conference["size"], json::array({320, 180}));
  watcher.stop();

  const json spare = output_status("spare");
  EXPECT_EQ(spare.value("state", ""), "stopped") << spare.dump();
  EXPECT_FALSE(spare.contains("url"));
  const json corner = output_status("corner");
  EXPECT_EQ(corner.value("source", ""), "region");
  EXPECT_EQ(corner["region"], json::array({0, 0, 320, 180}));
}

TEST_F(Outputs, AClientThatStopsReadingHoldsUpNeitherTheOtherClientsNorTheWall) {
  // One client connects over TCP and stops reading (SIGSTOP: its socket stays open); another
  // client, the encoder and the wall must go on. (This output's solid tiles make a few KB a
  // second: the kernel's socket buffers absorb 15 s of it; a stuck client of a high-bitrate
  // output, past the buffers and the server's backlog: test_live_output OutputServerFaults.)
  DaemonProcess stuck("/usr/bin/gst-launch-1.0",
                      {"-q", "rtspsrc", "location=" + url("conference"), "protocols=tcp", "!",
                       "rtph264depay", "!", "fakesink"},
                      (daemon_->dir() / "stuck.log").string());
  stuck.start();
  ASSERT_TRUE(
      eventually([&] { return output_status("conference").value("clients", 0) >= 1; }, 30s, 200ms));
  ASSERT_EQ(::kill(stuck.pid(), SIGSTOP), 0);
  // 15 s of frames while it is stopped.
  const auto presented = [] { return status()["render"].value("frames_presented", 0ull); };
  const auto encoded = [] { return output_status("conference").value("frames_encoded", 0ull); };
  const std::uint64_t presented_before = presented(), encoded_before = encoded();
  EXPECT_TRUE(eventually([&] { return encoded() >= encoded_before + 150; }, 60s, 200ms))
      << "the encoder stopped while a client was stuck";
  EXPECT_GT(presented(), presented_before) << "the wall stopped compositing";
  // A client joining the shared stream decodes from the next key frame (every second here):
  // the last of 16 frames at 10 fps is past it.
  Pulled frame = pull("conference", 320, 180, 16);
  EXPECT_FALSE(frame.rgb.empty()) << "a second client got no frames: " << frame.log;
  if (!frame.rgb.empty()) {
    EXPECT_TRUE(near_colour(frame.at(80, 55), kRed)) << std::hex << frame.at(80, 55);
  }
  ::kill(stuck.pid(), SIGCONT);
  stuck.stop();
}

// ffprobe's answer for an output: exit code and output.
ProcessResult probe(const std::string& url) {
  return run_process("/usr/bin/ffprobe",
                     {"-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name",
                      "-of", "json", url},
                     30s);
}

TEST_F(Outputs, WallctlStartsAndStopsAnOutputAsAnAuditedCommandThatSurvivesARestart) {
  auto r = daemon_->wallctl({"output", "start", "spare"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The output's thread builds the encoder: served shortly after the command.
  ProcessResult probed;
  EXPECT_TRUE(eventually(
      [&] {
        probed = probe(url("spare"));
        return probed.exit_code == 0 && probed.output.find("h264") != std::string::npos;
      },
      30s, 200ms))
      << probed.output;
  r = daemon_->wallctl({"--json", "output", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json listed = json::parse(r.output, nullptr, false);
  ASSERT_TRUE(listed.contains("outputs")) << r.output;
  EXPECT_FALSE(listed.contains("wall")) << "output list carries the outputs alone";
  std::map<std::string, std::string> states;
  for (const auto& o : listed["outputs"]) states[o.value("id", "")] = o.value("state", "");
  EXPECT_EQ(states, (std::map<std::string, std::string>{
                        {"conference", "running"}, {"corner", "running"}, {"spare", "running"}}));
  r = daemon_->wallctl({"output", "list"});
  EXPECT_NE(r.output.find("备用"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("输出中"), std::string::npos) << r.output;

  // Running outputs are wall state: a restarted daemon sends them out again.
  ASSERT_EQ(daemon_->process().stop(), 0) << daemon_->process().log();
  daemon_->start();
  EXPECT_TRUE(eventually([&] { return probe(url("spare")).exit_code == 0; }, 30s, 200ms));

  r = daemon_->wallctl({"output", "stop", "spare"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(eventually(
      [&] {
        probed = probe(url("spare"));
        return probed.exit_code != 0 && probed.output.find("404") != std::string::npos;
      },
      30s, 200ms))
      << probed.output;
  EXPECT_EQ(output_status("spare").value("state", ""), "stopped");
  // Both commands are in the audit trail, naming the output.
  const std::string audit = read_text(daemon_->audit_path());
  EXPECT_NE(audit.find(R"("command":"output.start")"), std::string::npos) << audit;
  EXPECT_NE(audit.find(R"("command":"output.stop")"), std::string::npos) << audit;
  EXPECT_NE(audit.find(R"("output":"spare")"), std::string::npos) << audit;
}

TEST_F(Outputs, AnUnknownOutputIsRefusedWithTheConfiguredOnes) {
  const auto r = daemon_->wallctl({"output", "start", "nope"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("unknown_output"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("conference, corner, spare"), std::string::npos) << r.output;
}

// Who could see which cameras: each running output's picture is in the audit trail, at start and
// on every change of the cameras in its source, with the operator who changed it.
TEST_F(Outputs, TheAuditTrailNamesTheCamerasEachOutputShows) {
  auto views = [](const std::string& id) {
    std::vector<json> lines;
    std::istringstream in(read_text(daemon_->audit_path()));
    for (std::string line; std::getline(in, line);) {
      json j = json::parse(line, nullptr, false);
      if (j.value("command", "") == "output.view" && j["args"].value("output", "") == id)
        lines.push_back(j);
    }
    return lines;
  };
  auto corner = views("corner");
  ASSERT_FALSE(corner.empty()) << read_text(daemon_->audit_path());
  EXPECT_EQ(corner.back()["args"]["cameras"], json({"red"}));
  EXPECT_EQ(corner.back()["args"]["running"], true);
  EXPECT_EQ(corner.back()["args"]["mask_policy_sm3"].get<std::string>().size(), 64u);
  ASSERT_FALSE(views("conference").empty());
  EXPECT_EQ(views("conference").back()["args"]["cameras"], json({"red", "green", "blue", "white"}));

  // The reply comes after the line is written: no wait.
  ASSERT_EQ(daemon_->wallctl({"assign", "1", "white"}).exit_code, 0);
  ASSERT_EQ(daemon_->wallctl({"assign", "1", "red"}).exit_code, 0);
  const auto after = views("corner");
  ASSERT_EQ(after.size(), corner.size() + 2) << read_text(daemon_->audit_path());
  EXPECT_EQ(after[after.size() - 2]["args"]["cameras"], json({"white"}));
  EXPECT_EQ(after[after.size() - 2].value("role", ""), "operator");
  EXPECT_EQ(after.back()["args"]["cameras"], json({"red"}));
  EXPECT_EQ(views("conference").back()["args"]["cameras"], json({"red", "green", "blue", "white"}));
  // An output stopped has "running": false as its last view (spare: started and stopped above).
  const auto spare = views("spare");
  if (!spare.empty()) {
    EXPECT_EQ(spare.back()["args"]["running"], false) << spare.back();
  }
}

// The GPU render path scales each output on the GPU (a blit into the output's size) where the
// software path reads the wall at its own scale and the encoder scales: the same pixels either
// way (this machine's llvmpipe runs both).
TEST(OutputsGpuPath, TheBlitScaledOutputShowsTheSameTiles) {
  const int port = free_tcp_port();
  ApiDaemon daemon(
      "outputs-gpu",
      "api: {anonymous_role: operator}\noutput_rtsp: {port: " + std::to_string(port) +
          "}\noutputs:\n  - {id: corner, region: [320, 180, 320, 180], size: [160, 90], "
          "fps: 10, start: true}\n",
      "{width: 640, height: 360, layout: 2x2, render_path: gpu}");
  daemon.start();
  // The path is chosen once the GL context is up, which may come after the API.
  std::string path;
  EXPECT_TRUE(eventually(
      [&] {
        const auto r = daemon.wallctl({"--json", "status"});
        path = json::parse(r.output, nullptr, false)["render"].value("path", "");
        return !path.empty();
      },
      30s, 100ms));
  EXPECT_EQ(path, "gpu");
  // The bottom-right quarter is tile 4, the white camera.
  const std::string where = "rtsp://127.0.0.1:" + std::to_string(port) + "/corner";
  std::string seen;
  EXPECT_TRUE(eventually(
      [&] {
        const fs::path dir = daemon.dir() / "pull";
        fs::remove_all(dir);
        fs::create_directories(dir);
        run_process(
            "/usr/bin/gst-launch-1.0",
            {"-q", "rtspsrc", "location=" + where, "protocols=tcp", "!", "rtph264depay", "!",
             "avdec_h264", "!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "identity",
             "eos-after=6", "!", "multifilesink", "location=" + (dir / "f%03d.rgb").string()},
            40s);
        std::string last;
        for (const auto& f : fs::directory_iterator(dir))
          last = std::max(last, f.path().filename().string());
        const std::string bytes = last.empty() ? "" : read_text(dir / last);
        if (bytes.size() != 160u * 90u * 3u) return false;
        const auto at = [&](int x, int y) {
          const auto* p = reinterpret_cast<const unsigned char*>(&bytes[(y * 160 + x) * 3]);
          return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
        };
        char text[64];
        std::snprintf(text, sizeof text, "%06x %06x", at(80, 55), at(150, 20));
        seen = text;
        return near_colour(at(80, 55), kWhite) && near_colour(at(150, 20), kWhite);
      },
      90s, 0ms))
      << seen;
}

std::string describe_without_credentials(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "socket failed";
  timeval bound{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "DESCRIBE rtsp://127.0.0.1:" + std::to_string(port) + path +
                                " RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buffer[2048];
      // Until the end of the headers, a timeout or 8 reads: bounded.
      for (int i = 0; i < 8 && reply.find("\r\n\r\n") == std::string::npos; ++i) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        reply.append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  return reply;
}

// With users, a client needs their name and password (RTSP digest: the password never crosses
// the wire); without them or with a wrong one it is refused, and the wall plays on.
TEST(OutputsAuth, OnlyTheConfiguredUsersWatchAndTheyAuthenticateByDigest) {
  const int port = free_tcp_port();
  ApiDaemon daemon("outputs-auth", "api: {anonymous_role: operator}\noutput_rtsp:\n  port: " +
                                       std::to_string(port) +
                                       "\n  users:\n    - {name: mcu, password: 'jianghan-2026'}\n"
                                       "outputs:\n  - {id: conference, size: [320, 180], fps: 10, "
                                       "start: true}\n");
  daemon.start();
  auto probe = [&](const std::string& credentials) {
    return run_process(
        "/usr/bin/ffprobe",
        {"-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v", "-show_entries",
         "stream=codec_name,width", "-of", "json",
         "rtsp://" + credentials + "127.0.0.1:" + std::to_string(port) + "/conference"},
        30s);
  };
  std::string seen;
  ASSERT_TRUE(eventually(
      [&] {
        const auto r = probe("mcu:jianghan-2026@");
        seen = r.output;
        const json parsed = json::parse(r.output, nullptr, false);
        return r.exit_code == 0 && parsed.contains("streams") && !parsed["streams"].empty() &&
               parsed["streams"][0].value("codec_name", "") == "h264";
      },
      60s, 500ms))
      << seen << daemon.process().log();

  for (const std::string credentials : {"", "mcu:wrong-password@", "intruder:jianghan-2026@"}) {
    const auto r = probe(credentials);
    EXPECT_NE(r.exit_code, 0) << credentials << ": " << r.output;
    EXPECT_NE(r.output.find("401"), std::string::npos) << credentials << ": " << r.output;
  }
  const std::string challenge = describe_without_credentials(port, "/conference");
  EXPECT_EQ(challenge.rfind("RTSP/1.0 401", 0), 0u) << challenge;
  EXPECT_NE(challenge.find("WWW-Authenticate: Digest"), std::string::npos) << challenge;
  EXPECT_NE(challenge.find("realm=\"videowall\""), std::string::npos) << challenge;
  EXPECT_EQ(challenge.find("Basic"), std::string::npos) << challenge;
  EXPECT_TRUE(daemon.process().running());
  EXPECT_EQ(output_of_status(daemon, "conference").value("state", ""), "running");
}

// The outputs' port is taken: the wall runs on, and status says why its outputs do not.
TEST(OutputsFault, APortInUseFailsTheOutputsNotTheWall) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int taken = ntohs(address.sin_port);

  ApiDaemon daemon("outputs-fault",
                   "api: {anonymous_role: operator}\noutput_rtsp: {port: " + std::to_string(taken) +
                       "}\noutputs:\n  - {id: conference, start: true}\n");
  daemon.start();
  const auto r = daemon.wallctl({"--json", "status"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json status = json::parse(r.output, nullptr, false);
  ASSERT_TRUE(status.contains("outputs")) << r.output;
  const json& out = status["outputs"][0];
  EXPECT_EQ(out.value("state", ""), "failed") << out.dump();
  EXPECT_NE(out.value("error", "").find(std::to_string(taken)), std::string::npos) << out.dump();
  EXPECT_TRUE(daemon.process().running());
  EXPECT_EQ(status["wall"].value("layout", ""), "2x2");
  ::close(fd);
}

}  // namespace
}  // namespace vw::testing
