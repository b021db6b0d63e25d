// The wall's live outputs end to end: a real daemon (four solid-colour cameras on 2x2) serves its
// outputs over RTSP, and clients we did not write pull them: GStreamer's rtspsrc in another
// process (the pixels of each tile) and ffprobe (what the stream is).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tests/controller/api_daemon.hpp"
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
  const std::pair<std::pair<int, int>, std::uint32_t> expect[] = {
      {{80, 55}, kRed}, {{240, 55}, kGreen}, {{80, 145}, kBlue}, {{240, 145}, kWhite}};
  Pulled frame;
  std::string seen;
  const bool shown = eventually(
      [&] {
        frame = pull("conference", 320, 180);
        if (frame.rgb.empty()) return false;
        seen.clear();
        bool all = true;
        for (const auto& [xy, colour] : expect) {
          const std::uint32_t got = frame.at(xy.first, xy.second);
          all &= near_colour(got, colour);
          char text[32];
          std::snprintf(text, sizeof text, "(%d,%d)=%06x ", xy.first, xy.second, got);
          seen += text;
        }
        return all;
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
               near_colour(frame.at(150, 80), kRed) && near_colour(frame.at(10, 80), kRed);
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
