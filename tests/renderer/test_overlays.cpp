// Case overlays, the alarm banner, the bounded text cache and incremental compositing, against
// real OpenGL (Mesa llvmpipe through EGL surfaceless). Frames are solid grey so that white
// text and red badges stand out; every check is on captured pixels.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "frames.hpp"
#include "renderer/gl_context.hpp"
#include "renderer/renderer.hpp"
#include "renderer/text_atlas.hpp"
#include "renderer/wall_composer.hpp"

namespace vw::renderer {
namespace {

using namespace std::chrono_literals;
using namespace vw::renderer::test;

const char* const kStreets[] = {"民族街", "花楼街", "水塔街", "民权街",   "满春街",
                                "民意街", "新华街", "万松街", "唐家墩街", "北湖街",
                                "前进街", "常青街", "汉兴街"};

// Figures that depend on `base`, so two bases give different numbers everywhere.
CaseView cases(int base, bool stale = false) {
  CaseView c;
  c.stale = stale;
  c.reported_today = 100 + base;
  c.open = 40 + base;
  c.overdue = 3 + base;
  c.closed_today = 60;
  c.closure_rate = 0.5 + base / 1000.0;
  for (int i = 0; i < 13; ++i) c.streets.push_back({kStreets[i], 10 + i, 2 + (i * base) % 7, 0, 0});
  c.categories = {{"暴露垃圾", 30 + base, 5, 0, 0},
                  {"占道经营", 20 + base, 4, 0, 0},
                  {"共享单车乱停放", 10 + base, 3, 0, 0},
                  {"乱堆物料", 5, 1, 0, 0},
                  {"违规广告", 4, 1, 0, 0},
                  {"其他", 1, 0, 0, 0}};
  const auto t = std::chrono::system_clock::now();
  c.latest = {{"c1", "花楼街", "占道经营", "dispatched", false, t},
              {"c2", "民族街", "暴露垃圾", "reported", base % 2 == 1, t - 3min},
              {"c3", "水塔街", "乱堆物料", "overdue", false, t - 9min}};
  c.streets_with_open_cases = {"花楼街"};
  c.version = static_cast<std::uint64_t>(base) + 1;
  return c;
}

int red_pixels(const Image& image, int x0, int y0, int x1, int y1) {
  int count = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const Rgb c = at(image, x, y);
      if (c.r > 170 && c.g < 90 && c.b < 90) ++count;
    }
  }
  return count;
}

// Pixels that differ by more than `tolerance` in any channel, in a region.
int differing(const Image& a, const Image& b, int x0, int y0, int x1, int y1, int tolerance = 0) {
  int count = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const Rgb p = at(a, x, y), q = at(b, x, y);
      if (std::abs(p.r - q.r) > tolerance || std::abs(p.g - q.g) > tolerance ||
          std::abs(p.b - q.b) > tolerance) {
        ++count;
      }
    }
  }
  return count;
}
int differing(const Image& a, const Image& b, int tolerance = 0) {
  return differing(a, b, 0, 0, a.width, a.height, tolerance);
}

// A renderer on its own thread with nine grey 3x3 tiles, one street each.
class Rig {
 public:
  explicit Rig(RenderPath path, bool incremental = true, int width = 1280, int height = 720) {
    RendererOptions options;
    options.headless = true;
    options.path = path;
    options.incremental = incremental;
    renderer_ = std::make_unique<Renderer>(options, &wakeup_);
    thread_ = std::thread([this] { rc_ = renderer_->run(); });
    view_ = wall(width, height);
    const auto rects = grid(3);
    for (int i = 0; i < 9; ++i) {
      streams_.emplace_back("cam" + std::to_string(i), &wakeup_);
      streams_.back().show(kGrey);
      const auto& r = rects[static_cast<std::size_t>(i)];
      TileView t = tile(r.x, r.y, r.w, r.h, streams_.back().channel,
                        std::string(kStreets[i]) + " 0" + std::to_string(i + 1));
      t.street = kStreets[i];
      view_.tiles.push_back(t);
    }
  }
  ~Rig() {
    renderer_->request_stop();
    thread_.join();
    EXPECT_EQ(rc_, 0);
  }
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;

  WallView& view() { return view_; }
  TestStream& stream(int i) { return streams_[static_cast<std::size_t>(i)]; }
  Renderer& renderer() { return *renderer_; }

  Image show() {
    view_.version = ++version_;
    renderer_->publish(std::make_shared<const WallView>(view_));
    return capture();
  }
  void publish(const CaseView& c) { renderer_->publish_cases(std::make_shared<const CaseView>(c)); }
  Image capture() {
    auto future = renderer_->capture(version_);
    if (future.wait_for(20s) != std::future_status::ready) {
      ADD_FAILURE() << "no capture within 20 s";
      return {};
    }
    return future.get();
  }

 private:
  streams::Wakeup wakeup_;
  std::unique_ptr<Renderer> renderer_;
  std::thread thread_;
  int rc_ = -1;
  WallView view_;
  std::vector<TestStream> streams_;
  std::uint64_t version_ = 0;
};

const std::vector<Overlay> kAll = {Overlay::Counters, Overlay::Streets, Overlay::Categories,
                                   Overlay::Ticker, Overlay::Badges};

// Every overlay test runs once per render path: the overlays must look the same over either.
class Overlays : public ::testing::TestWithParam<RenderPath> {};
INSTANTIATE_TEST_SUITE_P(Paths, Overlays, ::testing::Values(RenderPath::Gpu, RenderPath::Cpu),
                         path_name);

TEST_P(Overlays, CountersHaveTextAndFollowTheNumbers) {
  Rig rig(GetParam());
  rig.view().overlays = {Overlay::Counters};
  const Image bare = [&] {
    rig.view().overlays.clear();
    return rig.show();
  }();
  rig.view().overlays = {Overlay::Counters};
  rig.publish(cases(1));
  const Image one = rig.show();
  // The strip runs along the bottom-left: white text over a dark panel over grey video.
  EXPECT_GT(bright_pixels(one, 0, 620, 960, 720), 200);
  EXPECT_EQ(bright_pixels(bare, 0, 620, 960, 720), 0);
  EXPECT_EQ(rig.renderer().stats().case_version, 2u);

  rig.publish(cases(7));
  const Image seven = rig.capture();
  EXPECT_GT(differing(one, seven, 0, 620, 960, 720), 20) << "new numbers, new pixels";
  EXPECT_EQ(differing(one, seven, 0, 0, 1280, 400), 0) << "nothing else moves";

  rig.view().language = Language::English;
  const Image english = rig.show();
  EXPECT_GT(differing(seven, english, 0, 620, 960, 720), 100) << "English words";
}

TEST_P(Overlays, StaleFeedShowsTheMarkerAndNoNumbers) {
  Rig rig(GetParam());
  rig.view().overlays = kAll;
  const Image waiting = rig.show();  // nothing published yet
  EXPECT_GT(bright_pixels(waiting, 0, 620, 960, 720, 300), 50) << "a waiting marker is drawn";

  rig.publish(cases(1));
  const Image live = rig.capture();
  rig.publish(cases(1, true));
  const Image stale_one = rig.capture();
  rig.publish(cases(5, true));
  const Image stale_five = rig.capture();

  EXPECT_GT(differing(live, stale_one, 0, 620, 960, 720), 100) << "counters show the marker";
  EXPECT_GT(differing(live, stale_one, 900, 0, 1280, 720), 100) << "streets and ticker too";
  EXPECT_EQ(differing(stale_one, stale_five), 0) << "stale: no number of the view is drawn";
  EXPECT_GT(differing(waiting, stale_one, 0, 620, 960, 720), 20) << "数据中断 is not 等待数据";
}

TEST_P(Overlays, BadgesOnlyOnTilesOfStreetsWithOpenCases) {
  Rig rig(GetParam());
  rig.view().overlays = {Overlay::Badges};
  CaseView c = cases(1);
  c.streets_with_open_cases = {"水塔街", "满春街"};  // tiles 2 and 4
  rig.publish(c);
  const Image image = rig.show();
  const auto rects = grid(3);
  for (int i = 0; i < 9; ++i) {
    const PixelRect r = to_pixels(rects[static_cast<std::size_t>(i)], 1280, 720);
    const int red = red_pixels(image, r.x + r.w * 3 / 4, r.y, r.x + r.w, r.y + r.h / 5);
    if (i == 2 || i == 4) {
      EXPECT_GT(red, 40) << "tile " << i << " has a badge";
    } else {
      EXPECT_EQ(red, 0) << "tile " << i << " has no badge";
    }
    EXPECT_EQ(red_pixels(image, r.x, r.y + r.h / 5, r.x + r.w, r.y + r.h), 0) << "tile " << i;
  }
  // Stale: no badge shows an old count.
  c.stale = true;
  rig.publish(c);
  EXPECT_EQ(red_pixels(rig.capture(), 0, 0, 1280, 720), 0);
}

int amber_pixels(const Image& image, int x0, int y0, int x1, int y1) {
  int count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const Rgb c = at(image, x, y);
      if (c.r > 220 && c.g > 140 && c.g < 210 && c.b < 60) ++count;
    }
  return count;
}

// A tile whose picture the quality diagnosis faults gets an amber badge (画质: 模糊) top-right
// and an amber border, drawn as soon as the verdict is set (no new frame needed) and gone with
// it; the other tiles stay as they were.
TEST_P(Overlays, QualityFaultsShowAsABadgeAndAnAmberBorder) {
  Rig rig(GetParam());
  const Image clean = rig.show();
  EXPECT_EQ(amber_pixels(clean, 0, 0, 1280, 720), 0);
  streams::PictureQuality blurred;
  blurred.faults = {"blur", "noise"};
  rig.stream(4).channel->set_quality(blurred);  // the middle tile: x 427..853, y 240..480
  const Image faulted = rig.capture();
  const int badge = amber_pixels(faulted, 640, 240, 853, 290);
  EXPECT_GT(badge, 300) << "the badge, top-right of the tile";
  EXPECT_GT(amber_pixels(faulted, 427, 470, 853, 480), 400) << "the bottom border";
  EXPECT_LT(differing(clean, faulted, 0, 0, 1280, 230), 40) << "tiles above it unchanged";
  EXPECT_TRUE(near(at(faulted, 640, 400), kGrey)) << "the picture itself is left alone";

  rig.stream(4).channel->set_quality(std::nullopt);
  EXPECT_EQ(amber_pixels(rig.capture(), 0, 0, 1280, 720), 0);
}

TEST_P(Overlays, NoOverlaysLeaveTheVideoAlone) {
  Rig rig(GetParam());
  const Image before = rig.show();
  rig.publish(cases(3));
  const Image after = rig.capture();
  EXPECT_EQ(differing(before, after), 0);
  EXPECT_TRUE(near(at(after, 200, 700), kGrey)) << "bottom-left, where the counters would be";
}

TEST_P(Overlays, AlarmBannerAtTopCentre) {
  Rig rig(GetParam());
  const Image plain = rig.show();
  EXPECT_EQ(red_pixels(plain, 0, 0, 1280, 720), 0);
  rig.view().alarm_banner = "告警：花楼街 占道经营 1小时内 23 起";
  const Image alarm = rig.show();
  EXPECT_GT(red_pixels(alarm, 320, 0, 960, 180), 2000) << "red banner at the top centre";
  EXPECT_EQ(red_pixels(alarm, 0, 200, 1280, 720), 0) << "one line, at the top";
  EXPECT_GT(bright_pixels(alarm, 320, 0, 960, 180), 100) << "its text";
  rig.view().alarm_banner.clear();
  const Image cleared = rig.show();
  EXPECT_EQ(red_pixels(cleared, 0, 0, 1280, 720), 0);
  EXPECT_EQ(differing(plain, cleared), 0);
}

TEST_P(Overlays, LabelBandsStayUncovered) {
  for (int height : {720, 1080}) {
    const int width = height * 16 / 9;
    Rig rig(GetParam(), true, width, height);
    const Image plain = rig.show();
    rig.view().overlays = kAll;
    rig.view().alarm_banner = "告警：花楼街 占道经营 1小时内 23 起";
    CaseView c = cases(2);
    for (const char* s : kStreets) c.streets_with_open_cases.push_back(s);  // a badge per tile
    rig.publish(c);
    const Image full = rig.show();
    EXPECT_GT(differing(plain, full), 5000) << "the overlays are there";
    EXPECT_EQ(rig.renderer().stats().overlays_not_placed, 0);
    const auto rects = grid(3);
    for (int i = 0; i < 9; ++i) {
      const PixelRect r = to_pixels(rects[static_cast<std::size_t>(i)], width, height);
      // The band: text of ~5.5 % of the tile height plus padding, "民族街 01" wide.
      const int band_h = r.h * 55 / 1000 * 3 / 2;
      const int band_w = r.h * 55 / 1000 * 4;
      EXPECT_EQ(differing(plain, full, r.x, r.y, r.x + band_w, r.y + band_h), 0)
          << height << "p tile " << i;
    }
  }
}

// The incremental composite equals a full redraw after every kind of change.
TEST_P(Overlays, IncrementalEqualsFullRedraw) {
  Rig inc(GetParam(), true);
  Rig full(GetParam(), false);
  Rig* rigs[] = {&inc, &full};
  auto both = [&](auto&& step) {
    Image images[2];
    for (int k = 0; k < 2; ++k) images[k] = step(*rigs[k]);
    return std::pair{std::move(images[0]), std::move(images[1])};
  };
  auto expect_same = [&](const std::pair<Image, Image>& images, const char* what) {
    EXPECT_EQ(differing(images.first, images.second, 2), 0) << what;
  };
  expect_same(both([](Rig& r) {
                r.view().overlays = kAll;
                r.publish(cases(1));
                return r.show();
              }),
              "first view");
  const auto before = inc.renderer().stats();
  // One tile under the counters strip gets a new frame.
  expect_same(both([](Rig& r) {
                r.stream(6).show(kBlue);
                return r.capture();
              }),
              "tile 6 changed");
  const auto after = inc.renderer().stats();
  EXPECT_EQ(after.full_redraws, before.full_redraws) << "no full redraw for one frame";
  EXPECT_LE(after.tile_draws - before.tile_draws, 2u) << "only that tile (and nothing else)";
  EXPECT_GT(full.renderer().stats().full_redraws, 2u);

  expect_same(both([](Rig& r) {
                r.stream(4).show(kGreen);
                r.stream(8).show(kRed);
                return r.capture();
              }),
              "tiles 4 and 8 changed");
  expect_same(both([](Rig& r) {
                r.publish(cases(9));
                return r.capture();
              }),
              "new numbers");
  expect_same(both([](Rig& r) {
                r.stream(2).channel->set_state(StreamState::Stalled);
                r.publish(cases(9, true));
                return r.capture();
              }),
              "a stalled tile and a stale feed");
  const auto inc_image = inc.capture();
  EXPECT_TRUE(near(at(inc_image, 200, 600), kBlue)) << "tile 6 shows its new frame";
}

// Case views arriving fast are drawn at most ~4 times a second.
TEST_P(Overlays, CaseViewsAreDrawnAtMostFourTimesASecond) {
  Rig rig(GetParam());
  rig.view().overlays = {Overlay::Counters};
  rig.publish(cases(0));
  rig.show();
  const auto before = rig.renderer().stats();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= 50; ++i) {
    rig.publish(cases(i));
    std::this_thread::sleep_for(20ms);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::this_thread::sleep_for(400ms);  // the last one is drawn, late
  const auto after = rig.renderer().stats();
  const auto composites = after.frames_presented - before.frames_presented;
  std::printf("50 case views in %.2f s: %llu composites\n", seconds,
              static_cast<unsigned long long>(composites));
  EXPECT_LE(static_cast<double>(composites), (seconds + 0.4) * 4 + 1);
  EXPECT_GE(composites, 2u);
  EXPECT_EQ(after.case_version, 51u) << "the newest is drawn in the end";
}

TEST(TextCache, StaysBounded) {
  std::string error;
  auto context = create_headless_context(&error);
  ASSERT_TRUE(context) << error;
  {
    TextCache cache("");
    if (!cache.font().ok()) GTEST_SKIP() << "no CJK font";
    // Within one composite every entry stays (pointers are valid until end_composite).
    std::vector<const TextCache::Entry*> held;
    for (int i = 0; i < 600; ++i) held.push_back(cache.get("今日上报 " + std::to_string(i), 20));
    EXPECT_EQ(cache.size(), 600u);
    for (const auto* e : held) ASSERT_NE(e, nullptr);
    cache.end_composite();
    EXPECT_EQ(cache.size(), 600u) << "all were used in that composite";
    for (int i = 0; i < 3000; ++i) {
      cache.get("超期 " + std::to_string(i), 24 + i % 5);
      if (i % 10 == 0) cache.get("今日上报 599", 20);  // kept warm: survives
      cache.end_composite();
      ASSERT_LE(cache.size(), TextCache::kMaxEntries);
      ASSERT_LE(cache.bytes(), TextCache::kMaxBytes);
    }
    const std::size_t size = cache.size();
    cache.get("今日上报 599", 20);
    EXPECT_EQ(cache.size(), size) << "the warm entry was not evicted";
    cache.end_composite();
  }
}

TEST(Regions, DisjointCover) {
  std::vector<PixelRect> set;
  add_disjoint(&set, {0, 0, 100, 100});
  add_disjoint(&set, {50, 50, 100, 100});
  add_disjoint(&set, {10, 10, 10, 10});  // already covered
  add_disjoint(&set, {0, 0, 0, 5});      // empty
  long area = 0;
  for (std::size_t i = 0; i < set.size(); ++i) {
    area += static_cast<long>(set[i].w) * set[i].h;
    for (std::size_t j = i + 1; j < set.size(); ++j) EXPECT_FALSE(intersects(set[i], set[j]));
  }
  EXPECT_EQ(area, 100 * 100 * 2 - 50 * 50);
}

}  // namespace
}  // namespace vw::renderer
