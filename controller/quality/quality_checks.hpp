// The checks of the picture-quality diagnosis and their hysteresis: which faults the figures of a
// sample show (absolute thresholds catch a camera bad from its first sample; the camera's own
// sharpness baseline catches one that went out of focus), and a fault entered only after
// `enter_after` bad samples in a row and left after `leave_after` good ones, so it does not flap.
// Threads: a QualityTracker belongs to one thread (the quality monitor's).
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "streams/stream_channel.hpp"

namespace vw::controller::quality {

struct QualityThresholds {
  double black_luma = 25, black_contrast = 10;  // 黑屏: dark and without detail
  double dark_luma = 35, bright_luma = 215;     // 过暗 / 过亮
  double frozen_motion = 0.2;     // 画面冻结: the same picture while frames arrive
  double blur_sharpness = 12;     // 模糊: absolute floor of the Laplacian variance
  double blur_of_baseline = 0.3;  // ... or below this share of its own baseline
  // 遮挡: a large region without texture that appeared (this much above the camera's own share
  // of flat blocks), or one that covers nearly everything from the first sample (a lens cap).
  double covered_rise = 0.35, covered_min = 0.4, covered_absolute = 0.95;
  double cast = 45;  // 偏色: mean chroma this far from neutral
  double noise = 9;  // 噪声/雪花
  double shake = 1;  // 画面抖动: the global motion changes by this many analysis pixels a frame
  // 场景变更: against the confirmed reference, a correlation peak this weak (another view, another
  // zoom) or a shift this large (analysis pixels, 320 wide: 5 % of the view).
  double scene_match = 0.15, scene_shift = 16;
  int enter_after = 3;
  int leave_after = 3;
  bool operator==(const QualityThresholds&) const = default;
};

// The thresholds by name, as the config gives them (quality.thresholds, cameras[].quality), with
// the range each may take.
struct ThresholdField {
  std::string_view name;
  double QualityThresholds::*member;
  double min, max;
};
inline constexpr std::array<ThresholdField, 15> kThresholdFields{{
    {"black_luma", &QualityThresholds::black_luma, 0, 255},
    {"black_contrast", &QualityThresholds::black_contrast, 0, 128},
    {"dark_luma", &QualityThresholds::dark_luma, 0, 255},
    {"bright_luma", &QualityThresholds::bright_luma, 0, 255},
    {"frozen_motion", &QualityThresholds::frozen_motion, 0, 255},
    {"blur_sharpness", &QualityThresholds::blur_sharpness, 0, 100000},
    {"blur_of_baseline", &QualityThresholds::blur_of_baseline, 0, 1},
    {"covered_rise", &QualityThresholds::covered_rise, 0, 1},
    {"covered_min", &QualityThresholds::covered_min, 0, 1},
    {"covered_absolute", &QualityThresholds::covered_absolute, 0, 1.01},
    {"cast", &QualityThresholds::cast, 0, 182},
    {"noise", &QualityThresholds::noise, 0, 255},
    {"shake", &QualityThresholds::shake, 0, 320},
    {"scene_match", &QualityThresholds::scene_match, 0, 1},
    {"scene_shift", &QualityThresholds::scene_shift, 0, 320},
}};

// `base` with the named thresholds replaced (names not in kThresholdFields are ignored: the
// config refuses them before).
QualityThresholds with_overrides(QualityThresholds base,
                                 const std::map<std::string, double>& by_name);

// The check names, in the order a tile names them first.
inline constexpr std::array<std::string_view, 10> kChecks{
    "black", "covered", "frozen",      "scene_changed", "shaking",
    "blur",  "noise",   "colour_cast", "too_dark",      "too_bright"};

// What the camera looks like when nothing is wrong, learnt by its QualityTracker.
struct Baseline {
  double sharpness = 0;  // <= 0: not learnt yet
  double flat = -1;      // < 0: not learnt yet
};

// The checks one sample fails (no hysteresis).
std::vector<std::string> failed_checks(const streams::PictureQuality& figures,
                                       const QualityThresholds& thresholds,
                                       const Baseline& baseline);

class QualityTracker {
 public:
  explicit QualityTracker(QualityThresholds thresholds) : thresholds_(thresholds) {}
  // New thresholds (a config reload) from the next sample on; the faults held, the counts and
  // the baseline are kept, so a verdict does not blink.
  void set_thresholds(const QualityThresholds& thresholds) { thresholds_ = thresholds; }
  const QualityThresholds& thresholds() const { return thresholds_; }
  // Takes one sample's figures; returns the faults now held.
  const std::vector<std::string>& update(const streams::PictureQuality& figures);
  const std::vector<std::string>& faults() const { return faults_; }
  // Learnt from three samples on: before that, only the absolute thresholds apply.
  Baseline baseline() const;

 private:
  struct Count {
    int bad = 0;
    int good = 0;
    bool held = false;
  };
  QualityThresholds thresholds_;
  std::array<Count, kChecks.size()> counts_{};
  std::vector<std::string> faults_;
  // Moving averages: sharpness over samples that fail nothing, the flat share over those that
  // are neither black nor covered.
  double sharpness_ = 0, flat_ = 0;
  int sharpness_samples_ = 0, flat_samples_ = 0;
};

}  // namespace vw::controller::quality
