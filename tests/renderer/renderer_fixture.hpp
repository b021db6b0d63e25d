// The renderer test fixture: a headless Renderer on its own thread, once per render path (the
// shader's and the software one's), with helpers to publish a WallView and capture its pixels.
// Test bodies run on the gtest thread; the renderer runs on thread_.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "frames.hpp"
#include "renderer/renderer.hpp"

namespace vw::renderer::test {

// Every test of this fixture runs once per render path (the shader's and the software one's).
class RendererTest : public ::testing::TestWithParam<RenderPath> {
 protected:
  void SetUp() override { start(RendererOptions{}); }

  void start(RendererOptions options) {
    options.headless = true;
    options.path = GetParam();
    renderer_ = std::make_unique<Renderer>(options, &wakeup_);
    thread_ = std::thread([this] { rc_ = renderer_->run(); });
  }

  void TearDown() override {
    renderer_->request_stop();
    thread_.join();
    EXPECT_EQ(rc_, 0) << "run() failed: is EGL surfaceless available?";
  }

  // Publishes `view` with the next version and returns the capture of it.
  Image show(WallView view) {
    view.version = ++version_;
    renderer_->publish(std::make_shared<const WallView>(std::move(view)));
    return capture(version_);
  }

  Image capture(std::uint64_t min_version) {
    auto future = renderer_->capture(min_version);
    if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "no capture within 20 s";
      return {};
    }
    return future.get();
  }

  Image recapture() { return capture(version_); }

  TestStream stream(const std::string& key) { return TestStream(key, &wakeup_); }

  streams::Wakeup wakeup_;
  std::unique_ptr<Renderer> renderer_;
  std::thread thread_;
  int rc_ = -1;
  std::uint64_t version_ = 0;
};

}  // namespace vw::renderer::test
