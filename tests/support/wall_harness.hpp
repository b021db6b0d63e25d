// A whole wall in one process, for tests and benchmarks: the StreamManager (cameras are
// videowall-camsim children the caller starts), a headless Renderer on its own thread, and the
// WallController. Every wait is bounded; a wait that runs out is an ADD_FAILURE.
// Threads: one thread at a time (the test's) calls the harness; the renderer runs on its own.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "controller/core/wall_controller.hpp"
#include "renderer/renderer.hpp"
#include "streams/stream_manager.hpp"
#include "tests/support/eventually.hpp"

namespace vw::testing {

struct Rgb {
  int r, g, b;
};

inline Rgb rgb_of(std::uint32_t rgba) {
  return {int(rgba >> 24 & 0xff), int(rgba >> 16 & 0xff), int(rgba >> 8 & 0xff)};
}

inline bool near(Rgb a, Rgb b, int tolerance) {
  return std::abs(a.r - b.r) <= tolerance && std::abs(a.g - b.g) <= tolerance &&
         std::abs(a.b - b.b) <= tolerance;
}

inline Rgb rgb_hex(std::uint32_t hex) {
  return {int(hex >> 16 & 0xff), int(hex >> 8 & 0xff), int(hex & 0xff)};
}

class WallHarness {
 public:
  // The renderer is always headless, whatever `renderer_options` says.
  explicit WallHarness(controller::Config config, streams::StreamManagerOptions options = {},
                       renderer::RendererOptions renderer_options = {}) {
    streams_ = std::make_unique<streams::StreamManager>(&wakeup_, options);
    renderer_options.headless = true;
    renderer_ = std::make_unique<renderer::Renderer>(std::move(renderer_options), &wakeup_);
    render_thread_ = std::thread([this] { render_rc_ = renderer_->run(); });
    wall_ = std::make_unique<controller::WallController>(
        std::move(config), layouts_, *streams_, [this](auto view) { renderer_->publish(view); });
  }

  ~WallHarness() {
    wall_.reset();
    renderer_->request_stop();
    render_thread_.join();
    renderer_.reset();
    streams_.reset();
  }

  controller::WallController& wall() { return *wall_; }
  streams::StreamManager& streams() { return *streams_; }
  const layouts::LayoutLibrary& layouts() const { return layouts_; }
  renderer::Renderer& renderer() { return *renderer_; }

  controller::CommandResult run(controller::Command command) {
    auto future = wall_->submit(std::move(command));
    if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      ADD_FAILURE() << "command not answered within 5 s";
      return {};
    }
    return future.get();
  }

  // A composite drawn with the current view (or a later one).
  renderer::Image capture() {
    auto future = renderer_->capture(wall_->view()->version);
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "no composite within 10 s";
      return {};
    }
    return future.get();
  }

  // Colour at the centre of tile `index` (0-based) of the current view, in pixels of `image`.
  Rgb tile_centre(const renderer::Image& image, std::size_t index, double fx = 0.5,
                  double fy = 0.5) {
    const auto& rect = wall_->view()->tiles.at(index).rect;
    int x = static_cast<int>((rect.x + rect.w * fx) * image.width);
    int y = static_cast<int>((rect.y + rect.h * fy) * image.height);
    return rgb_of(image.pixel(x, y));
  }

  std::shared_ptr<streams::StreamChannel> channel(const std::string& camera_id,
                                                  const char* which = "main") {
    return streams_->channel(camera_id + "/" + which);
  }

  bool all_playing(const std::vector<std::string>& camera_ids, std::chrono::milliseconds timeout) {
    return eventually(
        [&] {
          for (const auto& id : camera_ids) {
            auto ch = channel(id);
            if (!ch || ch->state() != streams::StreamState::Playing) return false;
          }
          return true;
        },
        timeout);
  }

 private:
  streams::Wakeup wakeup_;
  layouts::LayoutLibrary layouts_;
  std::unique_ptr<streams::StreamManager> streams_;
  std::unique_ptr<renderer::Renderer> renderer_;
  std::thread render_thread_;
  int render_rc_ = 0;
  std::unique_ptr<controller::WallController> wall_;
};

}  // namespace vw::testing
