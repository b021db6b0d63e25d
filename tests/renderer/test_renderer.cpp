// Renderer tests against real OpenGL (Mesa llvmpipe through EGL surfaceless): synthetic YUV
// frames of known colours go through StreamChannel mailboxes, WallViews are published, and the
// pixels of capture() are checked.
#include <gtest/gtest.h>
#include <png.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "frames.hpp"
#include "layouts/layout.hpp"
#include "renderer/renderer.hpp"
#include "renderer_fixture.hpp"

namespace vw::renderer {
namespace {

using namespace std::chrono_literals;
using streams::ColorMatrix;
using streams::PixelFormat;
using streams::StreamChannel;
using streams::StreamState;
using streams::VideoFrame;
using namespace vw::renderer::test;

INSTANTIATE_TEST_SUITE_P(Paths, RendererTest, ::testing::Values(RenderPath::Gpu, RenderPath::Cpu),
                         path_name);

TEST_P(RendererTest, ReportsGlRenderer) {
  const Image image = show(wall());
  ASSERT_EQ(image.width, 1280);
  ASSERT_EQ(image.height, 720);
  const RenderStats stats = renderer_->stats();
  std::printf("GL_RENDERER: %s\n", stats.gl_renderer.c_str());
  EXPECT_FALSE(stats.gl_renderer.empty());
  EXPECT_EQ(stats.render_path, to_string(GetParam()));
  EXPECT_EQ(stats.view_version, version_);
  EXPECT_TRUE(near(at(image, 640, 360), kBlack));
}

// Every colour, both formats, both matrices, both ranges: one tile each in a 4x4 grid.
TEST_P(RendererTest, ConvertsEveryFormatMatrixAndRange) {
  struct Case {
    PixelFormat format;
    ColorMatrix matrix;
    bool full;
    Rgb colour;
  };
  std::vector<Case> cases;
  for (auto format : {PixelFormat::I420, PixelFormat::NV12}) {
    for (auto [matrix, full] :
         {std::pair{ColorMatrix::BT709, false}, std::pair{ColorMatrix::BT601, false},
          std::pair{ColorMatrix::BT709, true}, std::pair{ColorMatrix::BT601, true}}) {
      for (Rgb colour : {kRed, kGreen, kBlue, kGrey})
        cases.push_back({format, matrix, full, colour});
    }
  }
  ASSERT_EQ(cases.size(), 32u);
  // Two walls of 16 tiles each.
  for (int half = 0; half < 2; ++half) {
    WallView view = wall();
    std::vector<TestStream> streams;
    const auto rects = grid(4);
    for (int i = 0; i < 16; ++i) {
      const Case& c = cases[static_cast<std::size_t>(half * 16 + i)];
      streams.push_back(stream("cam" + std::to_string(half * 16 + i)));
      FrameSpec spec;
      spec.format = c.format;
      spec.matrix = c.matrix;
      spec.full_range = c.full;
      streams.back().show(c.colour, spec);
      view.tiles.push_back(tile(rects[static_cast<std::size_t>(i)].x,
                                rects[static_cast<std::size_t>(i)].y,
                                rects[static_cast<std::size_t>(i)].w,
                                rects[static_cast<std::size_t>(i)].h, streams.back().channel));
    }
    const Image image = show(view);
    for (int i = 0; i < 16; ++i) {
      const Case& c = cases[static_cast<std::size_t>(half * 16 + i)];
      const auto [x, y] = centre(rects[static_cast<std::size_t>(i)], image.width, image.height);
      EXPECT_TRUE(near(at(image, x, y), c.colour))
          << (c.format == PixelFormat::NV12 ? "NV12 " : "I420 ")
          << (c.matrix == ColorMatrix::BT709 ? "BT.709 " : "BT.601 ")
          << (c.full ? "full" : "limited") << " tile " << i;
    }
  }
}

// Every built-in preset, each tile its own colour.
TEST_P(RendererTest, LayoutsPutEachStreamInItsTile) {
  const Rgb palette[] = {kRed,           kGreen,         kBlue,         kGrey,
                         kWhite,         {255, 255, 0},  {0, 255, 255}, {255, 0, 255},
                         {64, 128, 192}, {192, 64, 0},   {0, 128, 64},  {128, 0, 192},
                         {255, 128, 0},  {128, 255, 64}, {64, 0, 128},  {200, 200, 64}};
  std::vector<std::vector<layouts::Rect>> all;
  for (const layouts::Layout& preset : layouts::builtin_presets()) {
    all.emplace_back();
    for (const auto& t : preset.tiles) all.back().push_back(t.rect);
    ASSERT_LE(all.back().size(), std::size(palette)) << preset.name;
  }
  ASSERT_EQ(all.size(), 8u);
  for (const auto& rects : all) {
    WallView view = wall(1920, 1080);
    std::vector<TestStream> streams;
    for (std::size_t i = 0; i < rects.size(); ++i) {
      streams.push_back(stream("cam" + std::to_string(i)));
      FrameSpec spec;
      spec.width = 160;
      spec.height = 90;
      spec.format = i % 2 ? PixelFormat::NV12 : PixelFormat::I420;
      streams.back().show(palette[i], spec);
      view.tiles.push_back(
          tile(rects[i].x, rects[i].y, rects[i].w, rects[i].h, streams.back().channel));
    }
    const Image image = show(view);
    for (std::size_t i = 0; i < rects.size(); ++i) {
      const auto [x, y] = centre(rects[i], image.width, image.height);
      EXPECT_TRUE(near(at(image, x, y), palette[i])) << rects.size() << " tiles, tile " << i;
      // A point near the bottom-right corner, inside the tile, is the same stream.
      const int bx = static_cast<int>((rects[i].x + rects[i].w * 0.9) * image.width);
      const int by = static_cast<int>((rects[i].y + rects[i].h * 0.9) * image.height);
      EXPECT_TRUE(near(at(image, bx, by), palette[i])) << rects.size() << " tiles, tile " << i;
    }
  }
}

TEST_P(RendererTest, LetterboxBarsAndFill) {
  TestStream s = stream("cam");
  FrameSpec spec;
  spec.width = 160;  // 4:3 into a 16:9 tile
  spec.height = 120;
  s.show(kGreen, spec);
  WallView view = wall(1280, 720);
  view.tiles.push_back(tile(0, 0, 1, 1, s.channel));
  Image image = show(view);
  // Content is 960 wide, centred: bars 0..160 and 1120..1280.
  EXPECT_TRUE(near(at(image, 80, 360), kBlack)) << "left bar";
  EXPECT_TRUE(near(at(image, 1200, 360), kBlack)) << "right bar";
  EXPECT_TRUE(near(at(image, 170, 360), kGreen)) << "just inside the picture";
  EXPECT_TRUE(near(at(image, 1110, 360), kGreen));
  EXPECT_TRUE(near(at(image, 640, 700), kGreen)) << "no bars top or bottom";

  view.tiles[0].fit = FitMode::Fill;
  image = show(view);
  EXPECT_TRUE(near(at(image, 80, 360), kGreen)) << "fill: no bar";
  EXPECT_TRUE(near(at(image, 1200, 360), kGreen));
  EXPECT_TRUE(near(at(image, 640, 710), kGreen));
}

// A tile that a later tile covers whole (a picture-in-picture layout's hidden corner) is never
// drawn, so its stream's frames are not even taken.
TEST_P(RendererTest, CoveredTilesTakeNoFrames) {
  TestStream under = stream("under");
  TestStream over = stream("over");
  under.show(kRed);
  over.show(kGreen);
  WallView view = wall(1280, 720);
  view.tiles.push_back(tile(0.1, 0.1, 0.2, 0.2, under.channel));
  view.tiles.push_back(tile(0, 0, 0.5, 0.5, over.channel));
  const Image image = show(view);
  EXPECT_TRUE(near(at(image, 256, 144), kGreen)) << "the covering tile is on top";
  under.show(kBlue);
  over.show(kWhite);
  EXPECT_TRUE(near(at(recapture(), 256, 144), kWhite));
  EXPECT_EQ(under.channel->mailbox().consumed(), 0u) << "the covered stream was never taken";
  EXPECT_GE(over.channel->mailbox().consumed(), 2u);
}

// Software path: once a tile shows a stream, the stream's producer makes RGBA of exactly the
// tile's size (here on the publishing thread), so the render thread only copies; a new layout
// shows at once, from the frame it has, and the next frames come at the new size. The shader's
// path keeps frames as decoded.
TEST_P(RendererTest, FramesAreMadeAtTheirTilesSizeOnTheSoftwarePath) {
  const bool cpu = GetParam() == RenderPath::Cpu;
  TestStream s = stream("cam");
  FrameSpec spec;
  spec.width = 320;
  spec.height = 180;
  s.show(kBlue, spec);  // before any view: as decoded
  WallView view = wall(1280, 720);
  view.tiles.push_back(tile(0, 0, 0.5, 0.5, s.channel));
  EXPECT_TRUE(near(at(show(view), 320, 180), kBlue));

  s.show(kRed, spec);
  const streams::FramePtr made = s.channel->mailbox().peek();
  ASSERT_TRUE(made);
  if (cpu) {
    EXPECT_EQ(made->format, PixelFormat::RGBA);
    EXPECT_EQ(made->width, 640);
    EXPECT_EQ(made->height, 360);
    EXPECT_EQ(made->source_width, 320);
    EXPECT_EQ(made->source_height, 180);
  } else {
    EXPECT_EQ(made->format, PixelFormat::I420);
    EXPECT_EQ(made->width, 320);
  }
  Image image = recapture();
  EXPECT_TRUE(near(at(image, 320, 180), kRed));
  EXPECT_TRUE(near(at(image, 900, 500), kBlack)) << "the rest of the wall is empty";

  // The whole wall: shown in the next composite from the 640x360 frame it holds.
  view.tiles[0].rect = {0, 0, 1, 1};
  image = show(view);
  EXPECT_TRUE(near(at(image, 1000, 600), kRed));
  s.show(kGreen, spec);
  image = recapture();
  EXPECT_TRUE(near(at(image, 1000, 600), kGreen));
  if (cpu) {
    const streams::FramePtr next = s.channel->mailbox().peek();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->width, 1280);
    EXPECT_EQ(next->height, 720);
  }
}

TEST_P(RendererTest, PaddedStridesUploadCorrectly) {
  // Odd widths and rows padded by odd byte counts: a wrong row length would shear the picture.
  std::vector<TestStream> streams;
  WallView view = wall();
  const auto rects = grid(2);
  const FrameSpec specs[] = {
      {PixelFormat::I420, 97, 55, ColorMatrix::BT709, false, 13},
      {PixelFormat::NV12, 101, 57, ColorMatrix::BT601, false, 7},  // odd NV12 stride: repacked
      {PixelFormat::NV12, 98, 54, ColorMatrix::BT709, true, 30},
      {PixelFormat::I420, 33, 17, ColorMatrix::BT601, true, 1},
  };
  const Rgb colours[] = {kRed, kBlue, kGreen, kGrey};
  for (int i = 0; i < 4; ++i) {
    streams.push_back(stream("cam" + std::to_string(i)));
    streams.back().show(colours[i], specs[i]);
    const auto& r = rects[static_cast<std::size_t>(i)];
    view.tiles.push_back(tile(r.x, r.y, r.w, r.h, streams.back().channel));
  }
  const Image image = show(view);
  for (int i = 0; i < 4; ++i) {
    const auto& r = rects[static_cast<std::size_t>(i)];
    // Sample the centre and points towards the picture's corners (letterboxed content).
    for (auto [fx, fy] : {std::pair{0.5, 0.5}, std::pair{0.4, 0.3}, std::pair{0.6, 0.7}}) {
      const int x = static_cast<int>((r.x + r.w * fx) * image.width);
      const int y = static_cast<int>((r.y + r.h * fy) * image.height);
      EXPECT_TRUE(near(at(image, x, y), colours[i])) << "tile " << i << " at " << fx << "," << fy;
    }
  }
  EXPECT_EQ(renderer_->stats().frames_refused, 0u);
}

TEST_P(RendererTest, StalledStreamShowsStateNotFrame) {
  TestStream s = stream("cam");
  s.show(kRed, {}, StreamState::Stalled);
  WallView view = wall(1280, 720);
  view.tiles.push_back(tile(0, 0, 0.5, 1, s.channel, "民族街 01"));
  Image image = show(view);
  const Rgb c = at(image, 320, 360);
  EXPECT_FALSE(near(c, kRed, 60)) << "a stalled stream must not show its last frame";
  EXPECT_GT(bright_pixels(image, 0, 300, 640, 420), 20) << "state text in the middle band";
  EXPECT_EQ(s.channel->mailbox().consumed(), 0u) << "a stalled frame is not even taken";

  // Back to Playing: the frame shows.
  s.channel->set_state(StreamState::Playing);
  image = recapture();
  EXPECT_TRUE(near(at(image, 320, 360), kRed));

  // Every non-playing state has words in the middle, in both languages.
  for (Language language : {Language::Chinese, Language::English}) {
    for (StreamState state : {StreamState::Connecting, StreamState::Reconnecting,
                              StreamState::AuthFailed, StreamState::NotFound, StreamState::Idle}) {
      s.channel->set_state(state);
      view.language = language;
      image = show(view);
      EXPECT_FALSE(near(at(image, 320, 200), kRed, 60));
      EXPECT_GT(bright_pixels(image, 0, 300, 640, 420, 300), 10)
          << "state " << static_cast<int>(state) << " language " << static_cast<int>(language);
    }
  }
}

TEST_P(RendererTest, LabelBandHasText) {
  TestStream s = stream("cam");
  s.show(kBlack);
  WallView view = wall(1280, 720);
  view.tiles.push_back(tile(0, 0, 1, 1, s.channel, "花楼街 汉正街口"));
  Image image = show(view);
  // Label text is drawn top-left; the picture itself is black.
  EXPECT_GT(bright_pixels(image, 0, 0, 400, 60), 30);
  EXPECT_EQ(bright_pixels(image, 0, 200, 1280, 700), 0);

  // An unassigned tile is drawn empty with a subtle word, no label.
  WallView empty = wall(1280, 720);
  empty.tiles.push_back(tile(0, 0, 1, 1, nullptr));
  image = show(empty);
  EXPECT_EQ(bright_pixels(image, 0, 0, 1280, 720), 0) << "subtle: nothing bright";
  EXPECT_GT(bright_pixels(image, 500, 300, 780, 420, 150), 10) << "the word is there";
}

TEST_P(RendererTest, SeamlessSwitchToPreferredSub) {
  TestStream main = stream("cam/main");
  TestStream sub = stream("cam/sub");
  main.show(kRed);
  sub.channel->set_state(StreamState::Connecting);
  WallView view = wall(1280, 720);
  TileView t = tile(0, 0, 1, 1, main.channel);
  t.sub = sub.channel;
  t.preferred = StreamChoice::Sub;
  view.tiles.push_back(t);
  Image image = show(view);
  EXPECT_TRUE(near(at(image, 640, 360), kRed)) << "main keeps showing until sub is live";

  sub.channel->set_state(StreamState::Playing);  // playing, no frame yet
  image = recapture();
  EXPECT_TRUE(near(at(image, 640, 360), kRed));

  sub.show(kBlue);
  image = recapture();
  EXPECT_TRUE(near(at(image, 640, 360), kBlue)) << "sub shows once it has a frame";

  // Main stays the fallback when the sub fails.
  sub.channel->set_state(StreamState::Stalled);
  main.show(kGreen);
  image = recapture();
  EXPECT_TRUE(near(at(image, 640, 360), kGreen));

  // Neither live: the preferred stream's state shows, no stale frame.
  main.channel->set_state(StreamState::Reconnecting);
  image = recapture();
  EXPECT_FALSE(near(at(image, 640, 360), kGreen, 60));
  EXPECT_FALSE(near(at(image, 640, 360), kBlue, 60));
}

TEST_P(RendererTest, NewViewSwapsAssignments) {
  TestStream a = stream("a");
  TestStream b = stream("b");
  a.show(kRed);
  b.show(kBlue);
  WallView view = wall(1280, 720);
  view.tiles.push_back(tile(0, 0, 0.5, 1, a.channel));
  view.tiles.push_back(tile(0.5, 0, 0.5, 1, b.channel));
  Image image = show(view);
  EXPECT_TRUE(near(at(image, 320, 360), kRed));
  EXPECT_TRUE(near(at(image, 960, 360), kBlue));

  std::swap(view.tiles[0].rect, view.tiles[1].rect);
  image = show(view);
  EXPECT_TRUE(near(at(image, 320, 360), kBlue));
  EXPECT_TRUE(near(at(image, 960, 360), kRed));

  // New frames keep flowing after the swap.
  a.show(kGreen);
  image = recapture();
  EXPECT_TRUE(near(at(image, 960, 360), kGreen));
  EXPECT_GE(a.channel->mailbox().consumed(), 2u);
}

TEST_P(RendererTest, CaptureWaitsForTheViewVersion) {
  auto early = renderer_->capture(5);
  EXPECT_EQ(early.wait_for(300ms), std::future_status::timeout);
  WallView view = wall(640, 360);
  view.version = 5;
  version_ = 5;
  renderer_->publish(std::make_shared<const WallView>(view));
  ASSERT_EQ(early.wait_for(20s), std::future_status::ready);
  const Image image = early.get();
  EXPECT_EQ(image.width, 640);
  EXPECT_EQ(renderer_->stats().view_version, 5u);
}

TEST_P(RendererTest, IdlesWhenNothingChanges) {
  TestStream s = stream("cam");
  s.show(kRed);
  WallView view = wall(640, 360);
  view.tiles.push_back(tile(0, 0, 1, 1, s.channel));
  show(view);
  std::this_thread::sleep_for(100ms);
  const RenderStats before = renderer_->stats();
  std::this_thread::sleep_for(600ms);
  const RenderStats after = renderer_->stats();
  EXPECT_EQ(after.frames_presented, before.frames_presented) << "nothing changed: no draw";
  EXPECT_GE(after.frames_skipped, before.frames_skipped + 3) << "state polls keep turning";

  // A new frame draws exactly because of it.
  s.show(kBlue);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (renderer_->stats().frames_presented == after.frames_presented &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GT(renderer_->stats().frames_presented, after.frames_presented);
  EXPECT_TRUE(near(at(recapture(), 320, 180), kBlue));
}

TEST_P(RendererTest, RefusesMalformedFramesWithoutCrashing) {
  TestStream s = stream("cam");
  s.show(kRed);
  WallView view = wall(640, 360);
  view.tiles.push_back(tile(0, 0, 1, 1, s.channel));
  Image image = show(view);
  EXPECT_TRUE(near(at(image, 320, 180), kRed));
  auto bad = std::make_shared<VideoFrame>(*solid_frame({}, kBlue, ++s.sequence));
  bad->strides[0] = 3;  // shorter than a row
  s.channel->mailbox().publish(bad);
  auto null_plane = std::make_shared<VideoFrame>(*solid_frame({}, kBlue, ++s.sequence));
  null_plane->planes[1] = nullptr;
  image = recapture();
  s.channel->mailbox().publish(null_plane);
  image = recapture();
  EXPECT_TRUE(near(at(image, 320, 180), kRed)) << "the last good frame stays";
  EXPECT_EQ(renderer_->stats().frames_refused, 2u);
}

std::filesystem::path temp_png(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("vw_renderer_" + std::to_string(::getpid()) + "_" + name + ".png");
}

TEST_P(RendererTest, SnapshotWritesAPng) {
  TestStream s = stream("cam");
  s.show(kBlue);
  WallView view = wall(320, 180);
  view.tiles.push_back(tile(0, 0, 1, 1, s.channel));
  view.version = ++version_;
  renderer_->publish(std::make_shared<const WallView>(view));
  const auto path = temp_png("snap");
  auto done = renderer_->snapshot(path.string(), version_);
  ASSERT_EQ(done.wait_for(20s), std::future_status::ready);
  EXPECT_EQ(done.get(), "");

  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  ASSERT_NE(png_image_begin_read_from_file(&png, path.c_str()), 0) << png.message;
  EXPECT_EQ(png.width, 320u);
  EXPECT_EQ(png.height, 180u);
  png.format = PNG_FORMAT_RGBA;
  std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(png));
  ASSERT_NE(png_image_finish_read(&png, nullptr, pixels.data(), 0, nullptr), 0) << png.message;
  const std::size_t centre_index = (90 * 320 + 160) * 4;
  EXPECT_TRUE(
      near({pixels[centre_index], pixels[centre_index + 1], pixels[centre_index + 2]}, kBlue));
  std::filesystem::remove(path);

  // An unwritable path: the error names it.
  const std::string bad = "/nonexistent-dir/x.png";
  auto failed = renderer_->snapshot(bad, version_);
  ASSERT_EQ(failed.wait_for(20s), std::future_status::ready);
  const std::string error = failed.get();
  EXPECT_NE(error.find(bad), std::string::npos) << error;
}

TEST(RendererLifecycle, CapturesFailWhenStopped) {
  streams::Wakeup wakeup;
  RendererOptions options;
  options.headless = true;
  Renderer renderer(options, &wakeup);
  auto pending = renderer.capture(99);  // never reached
  std::thread t([&] { EXPECT_EQ(renderer.run(), 0); });
  std::this_thread::sleep_for(100ms);
  renderer.request_stop();
  t.join();
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready);
  EXPECT_THROW(pending.get(), std::runtime_error);
  auto late = renderer.snapshot("/tmp/never.png");
  ASSERT_EQ(late.wait_for(5s), std::future_status::ready);
  EXPECT_NE(late.get(), "");
}

TEST(RendererLifecycle, MissingFontStillDraws) {
  streams::Wakeup wakeup;
  RendererOptions options;
  options.headless = true;
  options.font_path = "/nonexistent/font.ttc";  // falls back to fontconfig
  Renderer renderer(options, &wakeup);
  std::thread t([&] { EXPECT_EQ(renderer.run(), 0); });
  auto image = renderer.capture();
  ASSERT_EQ(image.wait_for(20s), std::future_status::ready);
  EXPECT_EQ(image.get().width, 1920);
  renderer.request_stop();
  t.join();
}

// The windowed backend: runs on the main thread (GLFW wants it); needs $DISPLAY.
TEST(RendererWindowed, DrawsAndCapturesInAWindow) {
  if (std::getenv("DISPLAY") == nullptr) {
    GTEST_SKIP() << "no $DISPLAY: the GLFW window test runs under xvfb-run";
  }
  streams::Wakeup wakeup;
  RendererOptions options;
  options.headless = false;
  options.window_width = 640;
  options.window_height = 480;
  Renderer renderer(options, &wakeup);
  TestStream s("cam", &wakeup);
  s.show(kGreen);
  bool ok = false;
  std::string renderer_name;
  std::thread helper([&] {
    WallView view = wall(1280, 720);
    view.version = 1;
    view.tiles.push_back(tile(0, 0, 1, 1, s.channel, "窗口"));
    renderer.publish(std::make_shared<const WallView>(view));
    auto image = renderer.capture(1);
    if (image.wait_for(20s) == std::future_status::ready) {
      const Image got = image.get();
      ok = got.width == 1280 && near(at(got, 640, 360), kGreen);
    }
    // Frames keep flowing into the window.
    s.show(kBlue);
    auto second = renderer.capture(1);
    if (second.wait_for(20s) == std::future_status::ready) {
      ok = ok && near(at(second.get(), 640, 360), kBlue);
    }
    renderer_name = renderer.stats().gl_renderer;
    renderer.request_stop();
  });
  const int rc = renderer.run();
  helper.join();
  std::printf("windowed GL_RENDERER: %s\n", renderer_name.c_str());
  EXPECT_EQ(rc, 0);
  EXPECT_TRUE(ok);
}

TEST(RendererWindowed, NoDisplayFailsCleanly) {
  const char* display = std::getenv("DISPLAY");
  const std::string saved = display ? display : "";
  ::setenv("DISPLAY", ":987", 1);  // no such server
  streams::Wakeup wakeup;
  RendererOptions options;
  options.headless = false;
  int rc = 0;
  {
    Renderer renderer(options, &wakeup);
    auto pending = renderer.capture();
    rc = renderer.run();
    ASSERT_EQ(pending.wait_for(1s), std::future_status::ready);
    EXPECT_THROW(pending.get(), std::runtime_error);
  }
  if (display) {
    ::setenv("DISPLAY", saved.c_str(), 1);
  } else {
    ::unsetenv("DISPLAY");
  }
  EXPECT_NE(rc, 0);
}

TEST(PngWriter, RejectsEmptyImage) {
  EXPECT_NE(write_png("/tmp/x.png", Image{}), "");
}

}  // namespace
}  // namespace vw::renderer
