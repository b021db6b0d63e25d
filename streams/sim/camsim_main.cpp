// videowall-camsim: the simulated camera server as a process (tests kill, freeze and restart it).
//   videowall-camsim [--address A] [--port P] [--auth user:password]
//                    [--camera /mount=CODEC:WxH@FPS:RRGGBB]... [--clip /mount=PATH[@FPS]]...
//                    [--scene /mount=WxH@FPS[:DEFECT[@ONSET_S]][+clock]]... [--verbose]
// Prints exactly "LISTENING <port>" on stdout once it accepts connections (logs go to stderr),
// serves until SIGINT or SIGTERM, then stops cleanly. Bad arguments: a message naming the
// argument on stderr and exit status 2; failure to start: exit status 1.
#include <gst/gst.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "streams/sim/sim_camera_server.hpp"
#include "streams/sim/sim_scene.hpp"

namespace {

bool parse_int(std::string_view text, int& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

// "/red=h264:320x240@25:ff0000"
std::optional<vw::streams::SimSolidMount> parse_camera(const std::string& arg, std::string& why) {
  vw::streams::SimSolidMount m;
  const auto eq = arg.find('=');
  if (eq == std::string::npos) {
    why = "missing '='";
    return std::nullopt;
  }
  m.path = arg.substr(0, eq);
  const std::string rest = arg.substr(eq + 1);
  const auto c1 = rest.find(':');
  const auto x = rest.find('x', c1 == std::string::npos ? 0 : c1);
  const auto at = rest.find('@', x == std::string::npos ? 0 : x);
  const auto c2 = rest.find(':', at == std::string::npos ? 0 : at);
  if (c1 == std::string::npos || x == std::string::npos || at == std::string::npos ||
      c2 == std::string::npos) {
    why = "expected /mount=CODEC:WxH@FPS:RRGGBB";
    return std::nullopt;
  }
  m.codec = rest.substr(0, c1);
  const std::string colour = rest.substr(c2 + 1);
  unsigned rgb = 0;
  const auto [ptr, ec] = std::from_chars(colour.data(), colour.data() + colour.size(), rgb, 16);
  if (!parse_int(std::string_view(rest).substr(c1 + 1, x - c1 - 1), m.width) ||
      !parse_int(std::string_view(rest).substr(x + 1, at - x - 1), m.height) ||
      !parse_int(std::string_view(rest).substr(at + 1, c2 - at - 1), m.fps) || colour.size() != 6 ||
      ec != std::errc{} || ptr != colour.data() + colour.size()) {
    why = "expected /mount=CODEC:WxH@FPS:RRGGBB with decimal sizes and a 6-digit hex colour";
    return std::nullopt;
  }
  m.rgb = rgb;
  if (m.codec != "h264" && m.codec != "h265") {
    why = "codec must be h264 or h265";
    return std::nullopt;
  }
  if (m.path.empty() || m.path[0] != '/') {
    why = "mount must start with '/'";
    return std::nullopt;
  }
  return m;
}

// "/blur=320x180@25:blur@2" (a street scene at 320x180, blurred from 2 s in), "/clean=320x180@25"
// A "+clock" at the end burns the wall clock in (clock_stamp.hpp): "/lat=640x360@25+clock".
std::optional<vw::streams::SimSceneMount> parse_scene(std::string arg, std::string& why) {
  vw::streams::SimSceneMount m;
  constexpr std::string_view kClock = "+clock";
  if (arg.size() > kClock.size() &&
      arg.compare(arg.size() - kClock.size(), kClock.size(), kClock) == 0) {
    m.clock = true;
    arg.resize(arg.size() - kClock.size());
  }
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq < 2 || arg[0] != '/') {
    why = "expected /mount=WxH@FPS[:DEFECT[@ONSET_S]]";
    return std::nullopt;
  }
  m.path = arg.substr(0, eq);
  std::string_view rest = std::string_view(arg).substr(eq + 1);
  const auto colon = rest.find(':');
  const std::string_view size = rest.substr(0, colon);
  const auto x = size.find('x'), at = size.find('@');
  if (x == std::string::npos || at == std::string::npos || at < x ||
      !parse_int(size.substr(0, x), m.width) ||
      !parse_int(size.substr(x + 1, at - x - 1), m.height) ||
      !parse_int(size.substr(at + 1), m.fps)) {
    why = "expected /mount=WxH@FPS[:DEFECT[@ONSET_S]] with decimal sizes";
    return std::nullopt;
  }
  if (colon != std::string::npos) {
    std::string_view defect = rest.substr(colon + 1);
    if (const auto onset_at = defect.find('@'); onset_at != std::string::npos) {
      int onset = 0;
      if (!parse_int(defect.substr(onset_at + 1), onset) || onset < 0) {
        why = "ONSET_S after '@' must be whole seconds, 0 or more";
        return std::nullopt;
      }
      m.onset_s = onset;
      defect = defect.substr(0, onset_at);
    }
    m.defect = std::string(defect);
  }
  if (!vw::streams::sim_defect_from_name(m.defect)) {
    why = "unknown defect '" + m.defect + "' (one of " + vw::streams::sim_defect_names() + ")";
    return std::nullopt;
  }
  return m;
}

// "/cam01=/cache/cam01.mp4@25" or "/cam01=/cache/cam01.mp4"
std::optional<vw::streams::SimClipMount> parse_clip(const std::string& arg, std::string& why) {
  vw::streams::SimClipMount m;
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || arg[0] != '/') {
    why = "expected /mount=PATH[@FPS]";
    return std::nullopt;
  }
  m.path = arg.substr(0, eq);
  std::string file = arg.substr(eq + 1);
  const auto at = file.rfind('@');
  if (at != std::string::npos && file.find('/', at) == std::string::npos) {
    if (!parse_int(std::string_view(file).substr(at + 1), m.fps) || m.fps < 1 || m.fps > 120) {
      why = "FPS after '@' must be 1..120";
      return std::nullopt;
    }
    file.resize(at);
  }
  if (file.empty()) {
    why = "empty PATH";
    return std::nullopt;
  }
  m.file = file;
  return m;
}

int bad_argument(const std::string& option, const std::string& value, const std::string& why) {
  std::fprintf(stderr, "videowall-camsim: bad %s '%s': %s\n", option.c_str(), value.c_str(),
               why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("camsim"));

  CLI::App app{
      "videowall-camsim: simulated RTSP cameras (solid colours, street scenes, looped clips)"};
  vw::streams::SimCameraServerOptions options;
  std::string auth;
  std::vector<std::string> cameras, clips, scenes;
  app.add_option("--address", options.address, "address to bind")->capture_default_str();
  app.add_option("--port", options.port, "port to bind, 0 = any free port")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--auth", auth, "require Basic auth with user:password");
  app.add_option("--camera", cameras, "solid-colour mount /mount=CODEC:WxH@FPS:RRGGBB");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "debug logging (clients, pipelines)");
  app.add_option("--clip", clips, "looped clip mount /mount=PATH[@FPS] (H.264 .mp4 or .h264)");
  app.add_option("--scene", scenes,
                 "street-scene mount /mount=WxH@FPS[:DEFECT[@ONSET_S]][+clock], DEFECT one of " +
                     vw::streams::sim_defect_names());
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  if (verbose) spdlog::set_level(spdlog::level::debug);
  std::string why;
  if (!auth.empty()) {
    const auto colon = auth.find(':');
    if (colon == std::string::npos || colon == 0) {
      return bad_argument("--auth", auth, "expected user:password");
    }
    options.user = auth.substr(0, colon);
    options.password = auth.substr(colon + 1);
  }
  for (const auto& c : cameras) {
    auto m = parse_camera(c, why);
    if (!m) return bad_argument("--camera", c, why);
    options.solid.push_back(*m);
  }
  for (const auto& c : scenes) {
    auto m = parse_scene(c, why);
    if (!m) return bad_argument("--scene", c, why);
    m->variant = static_cast<int>(options.scenes.size());
    options.scenes.push_back(*m);
  }
  for (const auto& c : clips) {
    auto m = parse_clip(c, why);
    if (!m) return bad_argument("--clip", c, why);
    options.clips.push_back(*m);
  }

  // Block the stop signals in every thread (GStreamer's included) and wait for them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  gst_init(&argc, &argv);

  vw::streams::SimCameraServer server(options);
  std::string error;
  if (!server.start(&error)) {
    spdlog::error("{}", error);
    return 1;
  }
  std::printf("LISTENING %d\n", server.port());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: stopping", signal_number);
  server.stop();
  return 0;
}
