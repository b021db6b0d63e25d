// A simulated camera server: an in-process RTSP server (gst-rtsp-server) for demo mode and tests.
//
// Three kinds of mount, all with a shared media factory (N clients share one pipeline):
//  - solid colour: videotestsrc -> x264enc/x265enc (zerolatency, ultrafast, a key frame every
//    second) -> rtph264pay/rtph265pay, encoded live;
//  - scene: a street scene drawn by a ScenePainter (sim_scene.hpp) into each frame, optionally
//    with a defect from `onset_s` seconds into the stream, encoded live like a solid colour (one
//    painter per pipeline: the onset counts from the pipeline's first frame);
//  - clip: a pre-encoded H.264 file (see demo_cache.hpp), read ONCE into memory at start() and
//    looped forever by a feeder thread into appsrc -> h264parse -> rtph264pay at the clip's
//    frame rate, timestamps taken from the running clock (monotonic across loops). Each new
//    pipeline starts at the clip's first (key) frame. No encoding at run time.
// Unknown mounts answer 404. With a user and password set, every mount needs Basic auth
// (missing or wrong credentials answer 401).
//
// Threads: start() spawns the server thread, which owns the GstRTSPServer, its mount points,
// factories and clients, all driven by a private GMainContext/GMainLoop (never the default
// context), and, if there are clip mounts, one feeder thread that pushes access units into
// every prepared clip pipeline. Media pipelines run on gst-rtsp-server's own threads.
// The public methods are meant for one owner thread: start(), stop() and the destructor must not
// run concurrently; port() and url() may be called from any thread once start() returned.
// stop() (and the destructor) close the clients' connections and the listening socket, quit the
// loop and join both threads, waiting at most `stop_bound` (a stuck thread is detached and
// logged, never waited on forever).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace vw::streams {

struct SimSolidMount {
  std::string path;       // "/red"; must start with '/'
  std::uint32_t rgb = 0;  // 0xRRGGBB
  int width = 320;
  int height = 240;
  int fps = 25;
  std::string codec = "h264";  // "h264" or "h265"
};

struct SimSceneMount {
  std::string path;  // "/blur"
  int width = 320;
  int height = 180;
  int fps = 25;
  int variant = 0;              // another background and traffic
  std::string defect = "none";  // a sim_defect_from_name() name
  double onset_s = 0;           // seconds of clean picture before the defect starts
  bool clock = false;           // the wall clock burnt in (clock_stamp.hpp), for latency
};

struct SimClipMount {
  std::string path;            // "/cam01/main"
  std::filesystem::path file;  // .mp4 (H.264) or Annex-B .h264; several mounts may share one
  int fps = 0;                 // 0: the file's own frame rate (25 if the file has none)
};

struct SimCameraServerOptions {
  std::string address = "127.0.0.1";
  int port = 0;      // 0: any free port; see SimCameraServer::port()
  std::string user;  // Basic auth is on when user is non-empty
  std::string password;
  std::vector<SimSolidMount> solid;
  std::vector<SimSceneMount> scenes;
  std::vector<SimClipMount> clips;
  std::chrono::milliseconds stop_bound{3000};
};

class SimCameraServer {
 public:
  explicit SimCameraServer(SimCameraServerOptions options);
  ~SimCameraServer();  // stop()
  SimCameraServer(const SimCameraServer&) = delete;
  SimCameraServer& operator=(const SimCameraServer&) = delete;

  // Loads the clips, binds, and starts serving. Blocking (clip loading, bind). Returns false and
  // sets `error` (port in use, bad mount, unreadable clip...) on failure; then nothing runs.
  // Calling start() on a running server fails.
  bool start(std::string* error = nullptr);
  // Idempotent; a stopped server may be started again (it binds options.port again, or the
  // previously bound port if options.port was 0).
  void stop();

  bool running() const;
  int port() const;  // the bound port; 0 before the first successful start()
  // "rtsp://[user:password@]address:port/mount"
  std::string url(const std::string& mount, bool with_credentials = true) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vw::streams
