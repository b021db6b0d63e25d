// The daemon's live outputs (issue "The wall goes out", first part): for each running output
// an encoder (streams/out/live_output.hpp) mounted on the outputs' RTSP server, fed by a tap of
// the renderer's composite (renderer/output_tap.hpp). Which outputs run is wall state
// (WallState::outputs, changed by the output.start/stop Commands); want() hands each new set to
// this class's own thread, which starts and stops encoders (a pipeline takes a moment to build:
// never on the controller's thread). An output that cannot start, or a server that cannot
// listen, is logged and reported in status(); the wall runs on regardless. An output that fails
// while it runs (its encoder or recording pipeline posts an error: a folder that vanished, a full
// disk) or that could not start is restarted by the same thread with backoff (1 s doubling to
// 30 s, back to 1 s after 30 s without a failure); status() counts the restarts and names the
// last reason. An SRT or RTMP sink that fails (the listener it calls is down, the RTMP server
// went away) is restarted alone, with the same backoff: the output's encoder, its RTSP clients
// and its recording run on. Outputs with the whep sink are watched in browsers through one
// WHEP endpoint (controller/service/whep_server), started with the first of them.
// Threads: constructed and destroyed on the app's thread; want() and status() from any thread.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/core/config.hpp"
#include "controller/core/wall_state.hpp"
#include "controller/service/whep_server.hpp"
#include "layouts/layout.hpp"
#include "renderer/renderer.hpp"
#include "streams/out/live_output.hpp"
#include "streams/out/output_server.hpp"
#include "streams/out/push_sink.hpp"
#include "streams/out/recording_sink.hpp"

namespace vw::controller {

class LiveOutputs {
 public:
  // `state_dir`: where recordings go unless their output names a folder
  // (<state_dir>/recordings/<id>). `layouts` places the tile outputs (outlives this).
  LiveOutputs(const Config& config, const layouts::LayoutLibrary& layouts,
              renderer::Renderer& renderer, std::string state_dir);
  ~LiveOutputs();  // the taps go first, then the encoders, then the server
  LiveOutputs(const LiveOutputs&) = delete;
  LiveOutputs& operator=(const LiveOutputs&) = delete;

  // The wall's state: the outputs that should run now (state.outputs, ids of the config's
  // outputs), and where each tile output's tile is in its layout; never blocks.
  void want(const WallState& state);

  // status's "outputs": each configured output with its state, URL, clients and counters.
  nlohmann::json status() const;

 private:
  void run();          // the thread: applies each wanted set, and heals
  void heal();         // restarts, when their backoff has passed, the wanted outputs that failed
  void heal_pushes();  // restarts, alone, the SRT and RTMP sinks that failed
  std::string failure_of(const std::string& id) const;  // why a wanted output is down, or
  void reconcile(const std::vector<std::string>& wanted);
  std::string start(const OutputConfig& output);  // "" or why not
  void stop(const std::string& id);
  void update_taps();
  std::string recording_dir(const OutputConfig& config) const;
  std::string start_whep();  // the WHEP endpoint, unless it runs: "" or why not

  const std::vector<OutputConfig> outputs_;
  const layouts::LayoutLibrary& layouts_;
  const int wall_width_, wall_height_;
  const std::string watermark_;  // output_watermark, on every output picture
  const std::string state_dir_;
  renderer::Renderer& renderer_;
  streams::OutputServer server_;
  bool server_started_ = false;  // the thread's
  const OutputWhepConfig whep_config_;

  mutable std::mutex mutex_;  // guards the members below
  std::map<std::string, std::shared_ptr<streams::LiveOutput>> running_;
  std::map<std::string, std::unique_ptr<streams::RecordingSink>> recordings_;  // of running_
  std::map<std::string, std::string> errors_;       // why a wanted output did not start
  std::optional<std::vector<std::string>> wanted_;  // the newest set not yet applied
  // Where each tile output's tile is now, in wall pixels (output_source); nullopt: the layout
  // has no such tile (the output shows black).
  std::map<std::string, std::optional<std::array<double, 4>>> tile_sources_;
  std::vector<std::string> applied_;  // the set last applied
  struct Retry {
    int restarts = 0;
    std::string last_error;  // the failure the last restart was for
    std::chrono::seconds backoff{1};
    std::chrono::steady_clock::time_point failed_at{};  // seen down since; {} when up
    std::chrono::steady_clock::time_point started_at{};
    // Whether what this retries, down for `failure` ("" when up), is to restart now; counts it.
    bool due(const std::string& failure, std::chrono::steady_clock::time_point now);
  };
  std::map<std::string, Retry> retries_;  // of the wanted outputs
  struct Push {
    streams::PushOptions options;
    std::unique_ptr<streams::PushSink> sink;  // null while it could not start
    std::string start_error;                  // why it did not start
    Retry retry;
  };
  std::map<std::string, std::vector<Push>> pushes_;  // of running_: SRT, then RTMP
  // The WHEP endpoint, made by the thread with the first output that has the whep sink and kept
  // until the destructor: set under the mutex, which status() reads it under; the thread itself
  // (its only writer, and stop() in the destructor after it joined) reads it without.
  std::unique_ptr<service::WhepServer> whep_;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace vw::controller
