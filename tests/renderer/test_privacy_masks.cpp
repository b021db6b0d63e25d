// Privacy masks against real OpenGL (Mesa llvmpipe through EGL surfaceless), on both render
// paths: the wall's pixels with masks drawn and lifted, and an output tap's picture, which keeps
// them whatever the wall shows.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "frames.hpp"
#include "layouts/privacy_mask.hpp"
#include "renderer/output_tap.hpp"
#include "renderer_fixture.hpp"

namespace vw::renderer {
namespace {

using namespace std::chrono_literals;
using namespace vw::renderer::test;

class PrivacyMasks : public RendererTest {};

INSTANTIATE_TEST_SUITE_P(Paths, PrivacyMasks, ::testing::Values(RenderPath::Gpu, RenderPath::Cpu),
                         path_name);

// Privacy masks: drawn opaque grey where the camera's picture puts them (letterbox included),
// gone from the wall when lifted; an output's picture keeps them, lifted or not, and carries
// the watermark at its bottom right.
TEST_P(PrivacyMasks, MasksHideOnTheWallUnlessLiftedAndAlwaysOnOutputs) {
  TestStream s = stream("cam");
  FrameSpec spec;
  spec.width = 160;  // 4:3 into a 16:9 tile: the picture is x 160..1120
  spec.height = 120;
  s.show(kGreen, spec);
  WallView view = wall(1280, 720);
  view.tiles.push_back(tile(0, 0, 1, 1, s.channel));
  // The picture's right half, top half: x 640..1120, y 0..360 of the wall.
  view.tiles[0].masks = std::make_shared<const std::vector<layouts::Point>>(
      layouts::triangulate(layouts::rectangle(0.5, 0, 0.5, 0.5)));

  std::mutex mutex;
  std::condition_variable arrived;
  streams::FramePtr picture;
  OutputTap tap;
  tap.id = "conf";
  tap.width = 640;
  tap.height = 360;
  tap.fps = 10;
  tap.watermark = "测试水印";
  tap.deliver = [&](streams::FramePtr frame) {
    std::lock_guard lock(mutex);
    picture = std::move(frame);
    arrived.notify_all();
  };
  renderer_->set_outputs({tap});
  auto next_picture = [&] {
    std::unique_lock lock(mutex);
    picture = nullptr;
    arrived.wait_for(lock, 20s, [&] { return picture != nullptr; });
    return picture;
  };
  auto rgb_at = [](const streams::VideoFrame& f, double fx, double fy) {
    const int x = static_cast<int>(fx * f.width), y = static_cast<int>(fy * f.height);
    const std::uint8_t* p = f.planes[0] + y * f.strides[0] + x * 4;
    return Rgb{p[0], p[1], p[2]};
  };
  const Rgb grey{0x60, 0x60, 0x60};

  Image image = show(view);
  EXPECT_TRUE(near(at(image, 800, 100), grey)) << "masked";
  EXPECT_TRUE(near(at(image, 1100, 340), grey)) << "masked, to the picture's edge";
  EXPECT_TRUE(near(at(image, 1200, 100), kBlack)) << "the letterbox bar is not the picture";
  EXPECT_TRUE(near(at(image, 600, 100), kGreen)) << "left of the mask";
  EXPECT_TRUE(near(at(image, 800, 400), kGreen)) << "below the mask";

  view.masks_lifted = true;
  image = show(view);
  EXPECT_TRUE(near(at(image, 800, 100), kGreen)) << "lifted on the wall";
  auto out = next_picture();
  ASSERT_TRUE(out) << "no output picture within 20 s";
  ASSERT_GE(out->width, 2);
  EXPECT_TRUE(near(rgb_at(*out, 800.0 / 1280, 100.0 / 720), grey)) << "the output stays masked";
  EXPECT_TRUE(near(rgb_at(*out, 600.0 / 1280, 100.0 / 720), kGreen));
  // The watermark: white glyphs with a dark outline in the bottom-right corner, over green.
  int white = 0, dark = 0;
  for (int y = out->height * 90 / 100; y < out->height; ++y) {
    for (int x = out->width * 50 / 100; x < out->width; ++x) {
      const std::uint8_t* p = out->planes[0] + y * out->strides[0] + x * 4;
      white += p[0] > 200 && p[1] > 200 && p[2] > 200;
      dark += p[0] < 60 && p[1] < 60 && p[2] < 60;
    }
  }
  EXPECT_GT(white, 20) << "watermark glyphs";
  EXPECT_GT(dark, 20) << "watermark outline";
  renderer_->set_outputs({});
}

}  // namespace
}  // namespace vw::renderer
