// The renderer's operator UI host (Dear ImGui with Debian's GLFW + OpenGL3 backends) in a real
// GLFW window under Xvfb with Mesa: drawn over the wall (overlay) or in its own window, driven by
// injected input frame by frame, hidden at no cost. The wall's own composite never shows the UI.
#include <gtest/gtest.h>
#include <imgui.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "frames.hpp"
#include "renderer/renderer.hpp"
#include "tests/support/eventually.hpp"

namespace vw::renderer {
namespace {

using namespace std::chrono_literals;
using namespace vw::renderer::test;

using vw::testing::eventually;

Image wait_image(std::future<Image> future) {
  if (future.wait_for(20s) != std::future_status::ready) {
    ADD_FAILURE() << "no image within 20 s";
    return {};
  }
  return future.get();
}

// A tiny UI: a button at a known place, and a red square drawn in front of everything.
struct TestUi {
  std::atomic<int> clicks{0};
  std::atomic<float> button_x{-1}, button_y{-1};
  std::atomic<bool> show_wall{false};

  void build(const UiFrame& frame) {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(frame.width * 0.5f, frame.height * 0.5f));
    ImGui::Begin("test", nullptr, ImGuiWindowFlags_NoDecoration);
    if (ImGui::Button("按钮 button", ImVec2(120, 40))) ++clicks;
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    button_x = (min.x + max.x) / 2;
    button_y = (min.y + max.y) / 2;
    if (show_wall && frame.wall_texture != 0) {  // the wall's composite as a miniature
      ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(frame.wall_texture)),
                   ImVec2(160, 90), ImVec2(0, 1), ImVec2(1, 0));
    }
    ImGui::End();
    ImGui::GetForegroundDrawList()->AddRectFilled(ImVec2(300, 300), ImVec2(340, 340),
                                                  IM_COL32(255, 0, 0, 255));
  }
};

struct Fixture {
  streams::Wakeup wakeup;
  TestUi ui;
  std::unique_ptr<Renderer> renderer;
  TestStream stream{"cam", &wakeup};

  explicit Fixture(UiPlacement placement) {
    RendererOptions options;
    options.headless = false;
    options.window_width = 640;
    options.window_height = 480;
    options.ui.placement = placement;
    options.ui.window_width = 480;
    options.ui.window_height = 360;
    options.ui.build = [this](const UiFrame& frame) { ui.build(frame); };
    renderer = std::make_unique<Renderer>(options, &wakeup);
    stream.show(kGreen);
  }

  // Runs the renderer on this (the main) thread while `script` runs on another.
  void run(const std::function<void()>& script) {
    std::thread helper([&] {
      WallView view = wall(1280, 720);
      view.version = 1;
      view.tiles.push_back(tile(0, 0, 1, 1, stream.channel, "窗口"));
      renderer->publish(std::make_shared<const WallView>(view));
      script();
      renderer->request_stop();
    });
    EXPECT_EQ(renderer->run(), 0);
    helper.join();
  }

  void click(float x, float y) {
    UiInput move, press, release;
    move.mouse = {x, y};
    press.buttons[0] = true;
    release.buttons[0] = false;
    renderer->inject_ui({move, press, release, UiInput{}});
    EXPECT_TRUE(eventually(
        [&] {
          const UiStats s = renderer->ui_stats();
          return s.injected_used == s.injected_queued;
        },
        10s));
  }
};

bool has_display() {
  if (std::getenv("DISPLAY") != nullptr) return true;
  return false;
}

TEST(UiHost, OverlayDrawsOverTheWallTakesInjectedClicksAndCostsNothingHidden) {
  if (!has_display()) GTEST_SKIP() << "no $DISPLAY: the UI tests run under xvfb-run";
  Fixture f(UiPlacement::Overlay);
  f.run([&] {
    // Shown: the window has the red square over the green wall; the composite has none.
    const Image screen = wait_image(f.renderer->capture_ui());
    ASSERT_EQ(screen.width, 640);
    EXPECT_TRUE(near(at(screen, 320, 320), kRed));
    EXPECT_TRUE(near(at(screen, 600, 400), kGreen));
    const Image composite = wait_image(f.renderer->capture(1));
    EXPECT_TRUE(near(at(composite, 640, 640), kGreen));

    // A click injected frame by frame presses the button once.
    ASSERT_TRUE(eventually([&] { return f.ui.button_x > 0; }, 5s));
    f.click(f.ui.button_x, f.ui.button_y);
    EXPECT_EQ(f.ui.clicks.load(), 1);
    // A click beside it does not.
    f.click(f.ui.button_x, f.ui.button_y + 200);
    EXPECT_EQ(f.ui.clicks.load(), 1);

    // Hidden: no UI frame is built while the wall keeps drawing.
    f.renderer->set_ui_visible(false);
    ASSERT_TRUE(eventually([&] { return !f.renderer->ui_stats().visible; }, 5s));
    const auto frames = f.renderer->ui_stats().frames;
    const auto composites = f.renderer->stats().frames_presented;
    for (int i = 0; i < 10; ++i) {
      f.stream.show(i % 2 ? kGreen : kBlue);
      std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(f.renderer->ui_stats().frames, frames);
    EXPECT_GT(f.renderer->stats().frames_presented, composites);

    // Shown again: frames again, and it still answers input.
    f.renderer->set_ui_visible(true);
    EXPECT_TRUE(eventually([&] { return f.renderer->ui_stats().frames > frames; }, 5s));
    f.click(f.ui.button_x, f.ui.button_y);
    EXPECT_EQ(f.ui.clicks.load(), 2);
  });
}

TEST(UiHost, OwnWindowShowsTheWallMiniatureAndLeavesTheWallClean) {
  if (!has_display()) GTEST_SKIP() << "no $DISPLAY: the UI tests run under xvfb-run";
  Fixture f(UiPlacement::Window);
  f.ui.show_wall = true;
  f.run([&] {
    ASSERT_TRUE(eventually([&] { return f.ui.button_x > 0; }, 10s));
    const Image panel = wait_image(f.renderer->capture_ui());
    ASSERT_EQ(panel.width, 480);
    ASSERT_EQ(panel.height, 360);
    EXPECT_TRUE(near(at(panel, 320, 320), kRed));
    // The miniature (shared GL texture) shows the green wall below the button.
    const int mini_x = static_cast<int>(f.ui.button_x.load());
    const int mini_y = static_cast<int>(f.ui.button_y.load()) + 20 + 45;
    EXPECT_TRUE(near(at(panel, mini_x, mini_y), kGreen, 40));
    const Image composite = wait_image(f.renderer->capture(1));
    EXPECT_TRUE(near(at(composite, 320 * 2, 320 * 1.5), kGreen));
    f.click(f.ui.button_x, f.ui.button_y);
    EXPECT_EQ(f.ui.clicks.load(), 1);
  });
}

}  // namespace
}  // namespace vw::renderer
