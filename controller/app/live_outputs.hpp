// The daemon's live outputs (issue "The wall goes out", first part): for each configured output
// an encoder (streams/out/live_output.hpp) mounted on the outputs' RTSP server, fed by a tap of
// the renderer's composite (renderer/output_tap.hpp). Outputs with `start: true` start with the
// daemon. An output that cannot start, or a server that cannot listen, is logged and reported in
// status(); the wall runs on regardless.
// Threads: constructed and destroyed on the app's thread; status() from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "controller/core/config.hpp"
#include "renderer/renderer.hpp"
#include "streams/out/live_output.hpp"
#include "streams/out/output_server.hpp"

namespace vw::controller {

class LiveOutputs {
 public:
  LiveOutputs(const Config& config, renderer::Renderer& renderer);
  ~LiveOutputs();  // the taps go first, then the encoders, then the server
  LiveOutputs(const LiveOutputs&) = delete;
  LiveOutputs& operator=(const LiveOutputs&) = delete;

  // Starts the outputs marked `start: true`.
  void start_configured();

  // status's "outputs": each configured output with its state, URL, clients and counters.
  nlohmann::json status() const;

 private:
  std::string start(const OutputConfig& output);  // "" or why not
  void update_taps();

  const std::vector<OutputConfig> outputs_;
  const int wall_width_, wall_height_;
  renderer::Renderer& renderer_;
  streams::OutputServer server_;
  std::string server_error_;  // why the server does not listen ("" when it does)
  bool server_started_ = false;

  mutable std::mutex mutex_;  // guards the members below
  std::map<std::string, std::shared_ptr<streams::LiveOutput>> running_;
  std::map<std::string, std::string> errors_;  // why an output did not start
};

}  // namespace vw::controller
