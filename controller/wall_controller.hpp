// Owns the wall state and applies every Command on its own thread, in order (design invariant
// 3). After each change it works out which camera streams must run, tells the StreamManager,
// builds the immutable WallView and hands it to the renderer through `publish`.
//
// Threads: submit(), state(), view() from any thread; they never wait on the controller's
// thread except through the returned future. `publish` is called on the controller's thread and
// must not block (Renderer::publish swaps a pointer).
#pragma once

#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "controller/commands.hpp"
#include "controller/config.hpp"
#include "controller/wall_state.hpp"
#include "layouts/layout.hpp"
#include "renderer/wall_view.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller {

// Which stream a tile of `tile_width`×`tile_height` pixels shows: the sub stream when the tile
// is below half the main stream's resolution both ways and the camera has one.
renderer::StreamChoice choose_stream(const CameraConfig& camera, int main_width, int main_height,
                                     double tile_width, double tile_height);

class WallController {
 public:
  using Publish = std::function<void(renderer::WallViewPtr)>;

  WallController(Config config, const layouts::LayoutLibrary& layouts,
                 streams::StreamManager& streams, Publish publish);
  ~WallController();
  WallController(const WallController&) = delete;
  WallController& operator=(const WallController&) = delete;

  std::future<CommandResult> submit(Command command);

  WallState state() const;
  renderer::WallViewPtr view() const;
  const Config& config() const { return config_; }

 private:
  struct Pending {
    Command command;
    std::promise<CommandResult> done;
  };

  void run(std::stop_token stop);
  void refresh(bool force_publish);  // controller thread only

  const Config config_;
  const layouts::LayoutLibrary& layouts_;
  streams::StreamManager& streams_;
  Publish publish_;

  mutable std::mutex mutex_;  // guards state_, view_, queue_
  std::condition_variable_any wake_;
  std::deque<Pending> queue_;
  WallState state_;
  renderer::WallViewPtr view_;
  std::uint64_t view_version_ = 0;  // controller thread only
  std::jthread thread_;             // last: starts after everything above exists
};

}  // namespace vw::controller
