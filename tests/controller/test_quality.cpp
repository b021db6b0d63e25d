// The picture-quality diagnosis (视频质量诊断): each check on pictures with a known defect, made
// from a textured scene the way a real camera would show it, and no fault on the clean scene;
// hysteresis; the camera's own sharpness baseline; the monitor on real streams from a real RTSP
// server (a black camera is diagnosed black within its k samples, no extra decode).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <random>

#include "controller/quality/picture_figures.hpp"
#include "controller/quality/quality_checks.hpp"
#include "controller/quality/quality_history.hpp"
#include "controller/quality/quality_monitor.hpp"
#include "controller/quality/quality_snapshots.hpp"
#include "controller/quality/scene_references.hpp"
#include "streams/stream_manager.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/image_decode.hpp"

namespace vw::controller::quality {
namespace {

using namespace std::chrono_literals;
using Faults = std::vector<std::string>;

// A street-like scene: texture of every scale plus hard edges, 640x360, shifted by `step` pixels
// (the traffic moving).
cv::Mat scene(int step) {
  static const cv::Mat base = [] {
    cv::Mat noise(400, 700, CV_8UC1);
    cv::RNG rng(7);
    rng.fill(noise, cv::RNG::UNIFORM, 0, 255);
    cv::Mat texture;
    cv::GaussianBlur(noise, texture, cv::Size(0, 0), 1.2);
    cv::normalize(texture, texture, 40, 200, cv::NORM_MINMAX);
    for (int i = 0; i < 12; ++i)
      cv::rectangle(texture, cv::Rect(40 + i * 50, 60 + (i % 3) * 80, 35, 60),
                    cv::Scalar(i % 2 ? 230 : 30), 3);
    return texture;
  }();
  return base(cv::Rect(step % 50, (step * 3) % 30, 640, 360)).clone();
}

// A planar YUV frame of `y` with flat chroma (u, v).
streams::FramePtr frame_of(const cv::Mat& y, std::uint8_t u = 128, std::uint8_t v = 128) {
  struct Planes {
    cv::Mat y, u, v;
  };
  auto planes = std::make_shared<Planes>();
  planes->y = y.clone();
  planes->u = cv::Mat(y.rows / 2, y.cols / 2, CV_8UC1, cv::Scalar(u));
  planes->v = cv::Mat(y.rows / 2, y.cols / 2, CV_8UC1, cv::Scalar(v));
  auto f = std::make_shared<streams::VideoFrame>();
  f->format = streams::PixelFormat::I420;
  f->width = y.cols;
  f->height = y.rows;
  f->plane_count = 3;
  f->planes = {planes->y.data, planes->u.data, planes->v.data};
  f->strides = {static_cast<int>(planes->y.step), static_cast<int>(planes->u.step),
                static_cast<int>(planes->v.step)};
  f->storage = planes;
  return f;
}

// The faults held after `n` samples of `make(i)`.
Faults diagnose(int n, const std::function<streams::FramePtr(int)>& make,
                QualityThresholds t = {}) {
  QualityTracker tracker(t);
  cv::Mat previous, grey;
  for (int i = 0; i < n; ++i) {
    streams::PictureQuality figures;
    EXPECT_TRUE(measure(*make(i), previous, grey, figures));
    previous = grey.clone();
    tracker.update(figures);
  }
  return tracker.faults();
}

TEST(QualityChecks, TheCleanSceneHasNoFault) {
  EXPECT_EQ(diagnose(20, [](int i) { return frame_of(scene(i)); }), Faults{});
}

TEST(QualityChecks, EachDefectIsNamedByItsCheck) {
  auto with = [](auto f) { return [f](int i) { return frame_of(f(scene(i))); }; };
  EXPECT_EQ(diagnose(3, [](int) { return frame_of(cv::Mat(360, 640, CV_8UC1, cv::Scalar(16))); }),
            Faults{"black"});
  EXPECT_EQ(diagnose(4, [](int) { return frame_of(scene(0)); }), Faults{"frozen"});
  EXPECT_EQ(diagnose(3, with([](cv::Mat m) {
                       cv::GaussianBlur(m, m, cv::Size(0, 0), 4);
                       return m;
                     })),
            Faults{"blur"});
  // A board over three quarters of a camera seen clean before; a lens cap from the start.
  EXPECT_EQ(diagnose(8,
                     [](int i) {
                       cv::Mat m = scene(i);
                       if (i >= 5) m(cv::Rect(0, 0, 640, 270)).setTo(cv::Scalar(90));
                       return frame_of(m);
                     }),
            Faults{"covered"});
  EXPECT_EQ(diagnose(3,
                     [](int i) {
                       cv::Mat m(360, 640, CV_8UC1, cv::Scalar(70));
                       m.at<std::uint8_t>(i, i) = 200;  // a pixel of change: not frozen
                       return frame_of(m);
                     }),
            Faults{"covered"});
  EXPECT_EQ(diagnose(3, [](int i) { return frame_of(scene(i), 60, 200); }), Faults{"colour_cast"});
  EXPECT_EQ(diagnose(3, with([](cv::Mat m) {
                       cv::Mat snow(m.size(), CV_8UC1);
                       cv::randu(snow, 0, 255);
                       cv::addWeighted(m, 0.4, snow, 0.6, 0, m);
                       return m;
                     })),
            Faults{"noise"});
  EXPECT_EQ(diagnose(3, with([](cv::Mat m) {
                       m.convertTo(m, -1, 0.22, 0);  // night without lights: luma ~26, detail kept
                       return m;
                     })),
            Faults{"too_dark"});
  EXPECT_EQ(diagnose(3, with([](cv::Mat m) {
                       m.convertTo(m, -1, 0.3, 185);  // against the sun
                       return m;
                     })),
            Faults{"too_bright"});
}

// A picture that is bad every other sample never reaches enter_after (3) in a row: no fault;
// once bad for good, the fault shows at the third sample and leaves after three good ones.
TEST(QualityChecks, HysteresisKeepsVerdictsFromFlapping) {
  const cv::Mat black(360, 640, CV_8UC1, cv::Scalar(16));
  EXPECT_EQ(diagnose(12, [&](int i) { return frame_of(i % 2 ? black : scene(i)); }), Faults{});
  QualityTracker tracker({});
  cv::Mat previous, grey;
  auto step = [&](const cv::Mat& y) {
    streams::PictureQuality f;
    measure(*frame_of(y), previous, grey, f);
    previous = grey.clone();
    return tracker.update(f);
  };
  EXPECT_EQ(step(black), Faults{});
  EXPECT_EQ(step(black), Faults{});
  EXPECT_EQ(step(black), Faults{"black"});
  EXPECT_EQ(step(scene(1)), Faults{"black"});
  EXPECT_EQ(step(scene(2)), Faults{"black"});
  EXPECT_EQ(step(scene(3)), Faults{});
}

// Out of focus by a little: still above the absolute floor, but a third of its own sharpness.
TEST(QualityChecks, TheCamerasOwnBaselineCatchesALensGoingSoft) {
  QualityTracker tracker({});
  cv::Mat previous, grey;
  streams::PictureQuality f;
  for (int i = 0; i < 8; ++i) {
    measure(*frame_of(scene(i)), previous, grey, f);
    previous = grey.clone();
    tracker.update(f);
  }
  const double sharp = f.sharpness;
  ASSERT_GT(tracker.baseline().sharpness, 0);
  Faults faults;
  double soft = 0;
  for (int i = 8; i < 11; ++i) {
    cv::Mat m = scene(i);
    cv::GaussianBlur(m, m, cv::Size(0, 0), 1.6);
    measure(*frame_of(m), previous, grey, f);
    previous = grey.clone();
    faults = tracker.update(f);
    soft = f.sharpness;
  }
  EXPECT_GT(soft, QualityThresholds{}.blur_sharpness) << "the absolute floor alone would miss it";
  EXPECT_LT(soft, 0.3 * sharp);
  EXPECT_EQ(faults, Faults{"blur"});
}

// Tile-sized RGBA frames (the software render path) are read too.
TEST(QualityChecks, RgbaFramesAreMeasured) {
  cv::Mat rgba;
  cv::cvtColor(scene(0), rgba, cv::COLOR_GRAY2RGBA);
  auto f = std::make_shared<streams::VideoFrame>();
  f->format = streams::PixelFormat::RGBA;
  f->width = rgba.cols;
  f->height = rgba.rows;
  f->plane_count = 1;
  f->planes = {rgba.data, nullptr, nullptr};
  f->strides = {static_cast<int>(rgba.step), 0, 0};
  streams::PictureQuality figures;
  cv::Mat grey;
  ASSERT_TRUE(measure(*f, {}, grey, figures));
  EXPECT_NEAR(figures.colour_cast, 0, 1.0);
  EXPECT_GT(figures.sharpness, 100);
  EXPECT_EQ(grey.cols, kAnalysisWidth);
}

// Shaking is a picture that jumps back and forth between frames a moment apart: found by phase
// correlation at the analysis size; a pan (always the same way), a still picture and one without
// structure are not shaking.
TEST(QualityChecks, ShakingIsBackAndForthNotAPan) {
  auto at = [](double dx, double dy) {
    cv::Mat m = scene(0), moved;
    const cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, dx, 0, 1, dy);
    cv::warpAffine(m, moved, shift, m.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
    cv::Mat grey;
    EXPECT_TRUE(analysis_luma(*frame_of(moved), grey));
    return grey;
  };
  // 640-wide frames: analysis pixels are half of these. Two frames a step, moving (5, 2) then
  // (-8, -3): per frame, a change of (-6.5, -2.5), 7 pixels.
  const double shaking = shake_of({at(0, 0), at(10, 4), at(-6, -2)}, {1, 3, 5});
  EXPECT_GT(shaking, 6);
  EXPECT_LT(shaking, 8);
  // A steady pan, 2 analysis pixels a frame, sampled after 2, 1 and 3 frames: no change.
  EXPECT_LT(shake_of({at(0, 0), at(8, 0), at(12, 0), at(24, 0)}, {1, 3, 4, 7}), 0.25);
  EXPECT_LT(shake_of({at(0, 0), at(0, 0), at(0, 0)}, {1, 2, 3}), 0.25);
  const cv::Mat flat(180, 320, CV_8UC1, cv::Scalar(90));
  EXPECT_EQ(shake_of({flat, flat, flat}, {1, 2, 3}), 0);
  EXPECT_EQ(shake_of({at(0, 0), at(10, 4)}, {1, 2}), 0);  // one step: nothing to compare
  streams::PictureQuality figures;
  figures.sharpness = 500;
  figures.luma = 120;
  figures.contrast = 40;
  figures.shake = 3;
  EXPECT_EQ(failed_checks(figures, {}, {}), Faults{"shaking"});
}

// The scene check (场景变更) against a confirmed reference: the same view with its traffic moved
// on, darker or lighter matches; the view moved by a tenth of its width, or another view, does
// not, and is named only while the picture shows a scene at all.
TEST(QualityChecks, SceneChangeIsAnotherViewNotAnotherLight) {
  auto grey_of = [](const cv::Mat& y) {
    cv::Mat grey;
    EXPECT_TRUE(analysis_luma(*frame_of(y), grey));
    return grey;
  };
  const cv::Mat reference = grey_of(scene(0));
  auto figures_of = [&](const cv::Mat& y) {
    streams::PictureQuality f;
    cv::Mat grey, previous;
    EXPECT_TRUE(measure(*frame_of(y), previous, grey, f));
    scene_against(reference, grey, f);
    return f;
  };
  cv::Mat darker;
  scene(0).convertTo(darker, -1, 0.6, 0);
  for (const cv::Mat& same : {scene(0), darker}) {
    const auto f = figures_of(same);
    EXPECT_GT(f.scene_match, 0.5);
    EXPECT_LT(f.scene_shift, 1);
    EXPECT_EQ(failed_checks(f, {}, {}), Faults{});
  }
  cv::Mat panned;
  const cv::Mat pan = (cv::Mat_<double>(2, 3) << 1, 0, 64, 0, 1, 0);  // 64 of 640: 32 analysis px
  cv::warpAffine(scene(0), panned, pan, scene(0).size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
  const auto moved = figures_of(panned);
  EXPECT_NEAR(moved.scene_shift, 32, 1.5);
  EXPECT_EQ(failed_checks(moved, {}, {}), Faults{"scene_changed"});
  cv::Mat other(360, 640, CV_8UC1);
  cv::RNG rng(99);
  rng.fill(other, cv::RNG::UNIFORM, 0, 255);
  cv::GaussianBlur(other, other, cv::Size(0, 0), 1.5);
  cv::normalize(other, other, 40, 200, cv::NORM_MINMAX);
  const auto elsewhere = figures_of(other);
  EXPECT_LT(elsewhere.scene_match, 0.15);
  EXPECT_EQ(failed_checks(elsewhere, {}, {}), Faults{"scene_changed"});
  // No reference: not judged. A board over the view: covered, not a scene change.
  streams::PictureQuality unjudged = elsewhere;
  unjudged.scene_match = -1;
  EXPECT_EQ(failed_checks(unjudged, {}, {}), Faults{});
  cv::Mat boarded = scene(0);
  boarded(cv::Rect(0, 0, 640, 330)).setTo(90);
  const Baseline seen_clean{0, 0.0};  // the camera's own share of flat blocks: none
  EXPECT_EQ(failed_checks(figures_of(boarded), {}, seen_clean), Faults{"covered"});
}

// The reference pictures are kept across restarts under the confirmation's generation: a newer
// confirmation takes a new picture, a cleared one deletes its file, leftovers are swept.
TEST(SceneReferences, KeptPerGenerationAndDeletedWhenCleared) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vw-scene-refs-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const cv::Mat picture = scene(3)(cv::Rect(0, 0, 320, 180)).clone();
  {
    SceneReferences refs(dir);
    EXPECT_EQ(refs.find("花楼街-01", 5), nullptr);
    refs.set("花楼街-01", 5, picture);
    refs.set("old", 1, picture);
  }
  EXPECT_TRUE(std::filesystem::exists(dir / reference_file_name("花楼街-01")));
  std::ofstream(dir / "leftover.pgm") << "P5";
  SceneReferences again(dir);
  const cv::Mat* read = again.find("花楼街-01", 5);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(cv::norm(*read, picture, cv::NORM_INF), 0);
  EXPECT_EQ(again.find("花楼街-01", 6), nullptr);  // confirmed again since: a new picture
  again.keep_only({{"花楼街-01", 5}});
  EXPECT_FALSE(std::filesystem::exists(dir / reference_file_name("old")));
  EXPECT_FALSE(std::filesystem::exists(dir / "leftover.pgm"));
  again.keep_only({});
  EXPECT_FALSE(std::filesystem::exists(dir / reference_file_name("花楼街-01")));
  std::ofstream(dir / reference_file_name("cut"), std::ios::binary)
      << "P5\n# generation 2\n320 180\n255\nxx";
  EXPECT_EQ(SceneReferences(dir).find("cut", 2), nullptr);  // cut short: taken anew
  std::filesystem::remove_all(dir);
}

// The pictures of the moments faults began: a small colour JPEG of the sampled frame (I420 and
// RGBA), read back by name only, the oldest deleted past the quota.
TEST(QualitySnapshots, SmallColourPicturesUnderAQuota) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vw-quality-snapshots-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  // Orange-ish: luma 150, U 80, V 180 (BT.601: about R 225, G 128, B 66).
  const cv::Mat y(360, 640, CV_8UC1, cv::Scalar(150));
  const auto frame = frame_of(y, 80, 180);
  const auto small = small_picture(*frame, kSnapshotWidth);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->width, 480);
  EXPECT_EQ(small->height, 270);
  const std::uint32_t p = small->pixel(240, 135);
  EXPECT_GT(p >> 24, 200u);           // red
  EXPECT_LT((p >> 8) & 0xff, 100u);   // blue
  QualitySnapshots pictures(dir, 1);  // room for one picture at a time
  const auto t0 = std::chrono::system_clock::now();
  const std::string first = pictures.save(*frame, "花楼街-01/main", t0);
  ASSERT_FALSE(first.empty());
  const auto jpeg = pictures.read(first);
  ASSERT_GT(jpeg.size(), 100u);
  const auto decoded = renderer::decode_jpeg(jpeg);
  EXPECT_EQ(decoded.width, 480);
  EXPECT_GT(decoded.pixel(240, 135) >> 24, 200u);
  const std::string second = pictures.save(*frame, "花楼街-01/main", t0 + 1s);
  ASSERT_FALSE(second.empty());
  EXPECT_NE(second, first);
  EXPECT_TRUE(pictures.read(first).empty()) << "the quota keeps the newest only";
  EXPECT_FALSE(pictures.read(second).empty());
  EXPECT_TRUE(pictures.read("../" + second).empty());
  EXPECT_TRUE(pictures.read("quality.log").empty());
  std::filesystem::remove_all(dir);
}

// The report of a verdict history: time in each fault clipped to the period, periods, the
// longest, a fault still held at the end; a start marker ends what a crash left open.
TEST(QualityHistory, ReportsTimeInEachFaultOverThePeriod) {
  const SystemTime t0 = std::chrono::system_clock::from_time_t(1'800'000'000);
  auto at = [&](int s) { return t0 + std::chrono::seconds(s); };
  const std::vector<QualityEvent> events{
      {at(10), "a/main", "black", true},
      {at(70), "a/main", "black", false},
      {at(80), "a/main", "black", true},
      {at(85), "a/main", "black", false},
      {at(95), "c/main", "noise", true},
      {at(97), "", "", false},  // the daemon started again: c's noise ended unrecorded
      {at(98), "b/sub", "blur", true},
  };
  const auto all = summarize(events, t0, at(100));
  ASSERT_EQ(all.streams.size(), 3u);
  EXPECT_EQ(all.streams[0].stream, "a/main");
  ASSERT_EQ(all.streams[0].faults.size(), 1u);
  const FaultSummary& black = all.streams[0].faults[0];
  EXPECT_EQ(black.check, "black");
  EXPECT_DOUBLE_EQ(black.seconds, 65);
  EXPECT_EQ(black.periods, 2);
  EXPECT_DOUBLE_EQ(black.longest_s, 60);
  EXPECT_EQ(black.longest_from, at(10));
  EXPECT_FALSE(black.ongoing);
  EXPECT_DOUBLE_EQ(all.streams[1].faults[0].seconds, 2);  // b: blur, still held at the end
  EXPECT_TRUE(all.streams[1].faults[0].ongoing);
  EXPECT_DOUBLE_EQ(all.streams[2].faults[0].seconds, 2);  // c: noise, ended by the start marker
  EXPECT_FALSE(all.streams[2].faults[0].ongoing);
  const auto late = summarize(events, at(40), at(88));  // clipped to the period
  ASSERT_EQ(late.streams.size(), 1u);
  EXPECT_DOUBLE_EQ(late.streams[0].faults[0].seconds, 30 + 5);
  EXPECT_EQ(late.streams[0].faults[0].longest_from, at(40));
}

// The history file: appended per change, read back by the next history (with a start marker),
// moved to .1 when large, unreadable lines skipped and counted.
TEST(QualityHistory, FileSpansRestartsAndRotates) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vw-quality-history-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto file = dir / "quality.log";
  const SystemTime t0 = std::chrono::system_clock::now() - std::chrono::minutes(10);
  {
    QualityHistory h(file);
    h.record("a/main", {}, {"black"}, t0, "1_00.jpg");
    h.record("a/main", {"black"}, {"covered", "frozen"}, t0 + std::chrono::seconds(30), "2_00.jpg");
    EXPECT_EQ(h.events().size(), 1u + 3u + 1u);  // start, black on, black off + 2 on
  }
  std::ofstream(file, std::ios::app) << "not json\n{\"t\":\"soon\"}\n";
  QualityHistory again(file);
  EXPECT_EQ(again.skipped_lines(), 2u);
  const auto report = again.report(t0 - std::chrono::minutes(1), std::chrono::system_clock::now());
  ASSERT_EQ(report.streams.size(), 1u);
  ASSERT_EQ(report.streams[0].faults.size(), 3u);
  EXPECT_EQ(report.streams[0].faults[0].check, "black");
  EXPECT_NEAR(report.streams[0].faults[0].seconds, 30, 0.01);
  EXPECT_FALSE(report.streams[0].faults[1].ongoing);  // ended by the second start marker
  // Each fault keeps the picture of its beginning, read back from the file too.
  EXPECT_EQ(report.streams[0].faults[0].longest_snapshot, "1_00.jpg");
  EXPECT_EQ(report.streams[0].faults[1].longest_snapshot, "2_00.jpg");
  {
    QualityHistory small(dir / "small.log", 100, 200);
    for (int i = 0; i < 20; ++i)
      small.record("b/main", i % 2 ? std::vector<std::string>{"blur"} : std::vector<std::string>{},
                   i % 2 ? std::vector<std::string>{} : std::vector<std::string>{"blur"},
                   t0 + std::chrono::seconds(i));
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "small.log.1"));
  EXPECT_LE(std::filesystem::file_size(dir / "small.log"), 300u);
  std::filesystem::remove_all(dir);
}

// On real streams: a black camera and a grey one from a real RTSP server, sampled by the monitor
// from the frames the streams decode anyway.
TEST(QualityMonitor, DiagnosesRealStreamsFromTheirMailboxes) {
  testing::CamsimProcess cameras({{"/black", 0x000000, 320, 240}, {"/grey", 0x808080, 320, 240}});
  cameras.start();
  streams::Wakeup wakeup;
  streams::StreamManager manager(&wakeup, {});
  streams::StreamSpec black, grey;
  black.key = "black/main";
  black.url = cameras.url("/black");
  grey.key = "grey/main";
  grey.url = cameras.url("/grey");
  auto channels = manager.set_wanted({black, grey});
  ASSERT_TRUE(testing::eventually(
      [&] {
        return std::all_of(channels.begin(), channels.end(), [](const auto& c) {
          return c->state() == streams::StreamState::Playing && c->mailbox().peek();
        });
      },
      20s));
  QualityOptions options;
  options.interval = 100ms;
  QualityMonitor monitor(options, [&] { return channels; });
  ASSERT_TRUE(testing::eventually(
      [&] {
        auto b = channels[0]->quality(), g = channels[1]->quality();
        return b && g && !b->faults.empty() && g->faults.size() >= 2;
      },
      20s))
      << (channels[0]->quality() ? channels[0]->quality()->samples : 0);
  EXPECT_EQ(channels[0]->quality()->faults, Faults{"black"});
  // A flat grey picture that never changes: covered and frozen (as a lens cap would be).
  EXPECT_EQ(channels[1]->quality()->faults, (Faults{"covered", "frozen"}));
  EXPECT_GE(channels[0]->quality()->samples, 3u);

  // A config reload: the black camera is no longer diagnosed, the grey one gets thresholds of
  // its own under which a flat picture is neither covered nor blurred (a plain wall it watches);
  // its frozen verdict stays throughout.
  QualityOptions reloaded = options;
  reloaded.off = {"black"};
  reloaded.cameras["grey"] = options.thresholds;
  reloaded.cameras["grey"].covered_absolute = 1.01;
  reloaded.cameras["grey"].blur_sharpness = 0;
  monitor.reconfigure(reloaded);
  EXPECT_EQ(monitor.options(), reloaded);
  bool frozen_throughout = true;
  EXPECT_TRUE(testing::eventually(
      [&] {
        const auto g = channels[1]->quality();
        frozen_throughout =
            frozen_throughout && g && std::count(g->faults.begin(), g->faults.end(), "frozen") == 1;
        return !channels[0]->quality() && g && g->faults == Faults{"frozen"};
      },
      20s));
  EXPECT_TRUE(frozen_throughout);
}

// Real streams with known defects (videowall-camsim's street scenes): each camera is seen clean
// first, so its baseline (and its confirmed reference) is learnt, then goes wrong; each defect is
// diagnosed by its own check, and only by it, within a few samples of its start; the clean camera
// never raises a verdict.
TEST(QualityMonitor, DiagnosesEachDefectOfARealStreamByItsCheck) {
  constexpr int kOnsetS = 4;
  const std::vector<std::string> defects{"black",      "frozen",       "blur",        "covered",
                                         "noise",      "shaking",      "colour_cast", "too_dark",
                                         "too_bright", "scene_changed"};
  std::vector<testing::SimSceneSpec> scenes{{"/clean", "none", 0}};
  for (const auto& d : defects) scenes.push_back({"/" + d, d, kOnsetS});
  testing::CamsimProcess cameras(scenes);
  cameras.start();
  streams::Wakeup wakeup;
  streams::StreamManager manager(&wakeup, {});
  std::vector<streams::StreamSpec> specs;
  for (const auto& s : scenes) {
    streams::StreamSpec spec;
    spec.key = s.mount.substr(1) + "/sub";
    spec.url = cameras.url(s.mount);
    specs.push_back(spec);
  }
  const auto started = std::chrono::steady_clock::now();  // the camera's pipelines start now
  auto channels = manager.set_wanted(specs);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return std::all_of(channels.begin(), channels.end(), [](const auto& c) {
          return c->state() == streams::StreamState::Playing && c->mailbox().peek();
        });
      },
      20s));
  const auto onset = started + std::chrono::seconds(kOnsetS);
  ASSERT_LT(std::chrono::steady_clock::now(), onset - 1s) << "the streams took too long to start";
  QualityOptions options;
  options.interval = 250ms;
  // Every camera's scene confirmed before its defect: a reference must not turn any other defect,
  // or the clean camera, into a scene change.
  std::map<std::string, std::uint64_t> references;
  for (const auto& s : scenes) references[s.mount.substr(1)] = 1;
  QualityMonitor monitor(
      options, [&] { return channels; }, {}, [&] { return references; });

  // Per defective camera: its sample count when the defect began and when a verdict first showed.
  struct Seen {
    std::uint64_t at_onset = 0, at_verdict = 0;
    Faults faults;
  };
  std::vector<Seen> seen(defects.size());
  Faults clean_faults;
  const bool all = testing::eventually(
      [&] {
        const bool begun = std::chrono::steady_clock::now() >= onset;
        if (auto q = channels[0]->quality(); q && !q->faults.empty()) clean_faults = q->faults;
        bool done = true;
        for (std::size_t i = 0; i < defects.size(); ++i) {
          const auto q = channels[i + 1]->quality();
          const std::uint64_t samples = q ? q->samples : 0;
          if (!begun) seen[i].at_onset = samples;
          if (q && !q->faults.empty() && seen[i].at_verdict == 0) {
            seen[i].at_verdict = samples;
            seen[i].faults = q->faults;
          }
          done = done && seen[i].at_verdict > 0;
        }
        return done && begun;
      },
      30s, 20ms);
  // enter_after bad samples, plus the samples the defect needs to reach the sampled frame: the
  // pass under way and the stream's latency, which grows when ten cameras are painted, encoded and
  // decoded on two loaded cores under the sanitizers (CI once saw 7 samples, where an idle machine
  // takes 3 to 5). The allowance is 2 s of latency at the sampling interval.
  const auto allowed_samples = static_cast<std::uint64_t>(options.thresholds.enter_after) +
                               static_cast<std::uint64_t>(2s / options.interval);
  for (std::size_t i = 0; i < defects.size(); ++i) {
    const auto q = channels[i + 1]->quality();
    std::printf("%-12s verdict %-24s %llu samples after the defect began\n", defects[i].c_str(),
                seen[i].faults.empty() ? "(none)" : seen[i].faults.front().c_str(),
                static_cast<unsigned long long>(seen[i].at_verdict - seen[i].at_onset));
    EXPECT_EQ(seen[i].faults, Faults{defects[i]}) << defects[i];
    EXPECT_GT(seen[i].at_verdict, seen[i].at_onset)
        << defects[i] << ": a verdict before the defect";
    EXPECT_LE(seen[i].at_verdict - seen[i].at_onset, allowed_samples) << defects[i];
    if (q) {
      EXPECT_EQ(q->faults, Faults{defects[i]}) << defects[i] << " now";
    }
  }
  EXPECT_TRUE(all);
  EXPECT_EQ(clean_faults, Faults{});
  const auto clean = channels[0]->quality();
  ASSERT_TRUE(clean);
  EXPECT_GE(clean->samples, 6u);  // sampled all along
  EXPECT_EQ(clean->faults, Faults{});
}

}  // namespace
}  // namespace vw::controller::quality
