// The software path's pieces without a renderer: the tile scaler's edge cases and the choice of
// render path from GL_RENDERER.
#include <gtest/gtest.h>

#include "frames.hpp"
#include "renderer/render_path.hpp"
#include "streams/frame_scaler.hpp"

namespace vw::renderer {
namespace {

using streams::PixelFormat;
using namespace vw::renderer::test;

// The scaler never throws: what it cannot make is null (the stream keeps its frames as decoded,
// the renderer refuses the frame), and edge sizes still come out at the size asked for.
TEST(FrameScaler, EdgeCasesGiveNullOrTheSizeAsked) {
  FrameSpec one_wide;
  one_wide.width = 1;
  one_wide.height = 36;
  const auto thin = solid_frame(one_wide, kGreen, 1);
  const auto thin_rgba = streams::scale_frame(*thin, {1, 36, 1, 36, {0, 0, 1, 1}});
  ASSERT_TRUE(thin_rgba);
  // A crop that starts at the only column: nothing left of an RGBA picture (YUV rounds the crop
  // out to whole chroma samples and keeps it).
  streams::ScaleTarget t{1, 36, 200, 50, {0.5f, 0, 1, 1}};
  EXPECT_EQ(streams::scale_frame(*thin_rgba, t), nullptr);
  EXPECT_TRUE(streams::scale_frame(*thin, t));
  t.crop = {0, 0, 1, 1};
  const auto made = streams::scale_frame(*thin, t);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->width, 200);
  EXPECT_EQ(made->height, 50);
  EXPECT_TRUE(streams::satisfies(*made, t));
  t.width = 0;
  EXPECT_EQ(streams::scale_frame(*thin, t), nullptr);
  t.width = streams::kMaxScaledSide + 1;
  EXPECT_EQ(streams::scale_frame(*thin, t), nullptr);
  FrameSpec odd;
  odd.format = PixelFormat::NV12;
  odd.width = 33;
  odd.height = 17;
  const auto small = solid_frame(odd, kRed, 2);
  const auto up = streams::scale_frame(*small, {33, 17, 3, 3, {0, 0, 1, 1}});
  ASSERT_TRUE(up);
  const auto* px = up->planes[0];
  EXPECT_TRUE(near({px[0], px[1], px[2]}, kRed));
  EXPECT_EQ(px[3], 255) << "opaque";
}

TEST(RenderPathChoice, SoftwareGlTakesTheCpuPathUnlessConfigured) {
  EXPECT_EQ(choose_render_path(RenderPath::Auto, "llvmpipe (LLVM 15.0.6, 256 bits)"),
            RenderPath::Cpu);
  EXPECT_EQ(choose_render_path(RenderPath::Auto, "softpipe"), RenderPath::Cpu);
  EXPECT_EQ(choose_render_path(RenderPath::Auto, "NVIDIA GeForce RTX 3060/PCIe/SSE2"),
            RenderPath::Gpu);
  EXPECT_EQ(choose_render_path(RenderPath::Auto, "Mesa Intel(R) UHD Graphics 630 (CFL GT2)"),
            RenderPath::Gpu);
  EXPECT_EQ(choose_render_path(RenderPath::Gpu, "llvmpipe"), RenderPath::Gpu);
  EXPECT_EQ(choose_render_path(RenderPath::Cpu, "NVIDIA GeForce"), RenderPath::Cpu);
  EXPECT_EQ(parse_render_path("cpu"), RenderPath::Cpu);
  EXPECT_EQ(parse_render_path("auto"), RenderPath::Auto);
  EXPECT_FALSE(parse_render_path("software").has_value());
}

}  // namespace
}  // namespace vw::renderer
