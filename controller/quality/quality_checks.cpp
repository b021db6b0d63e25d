#include "controller/quality/quality_checks.hpp"

#include <algorithm>

namespace vw::controller::quality {

std::vector<std::string> failed_checks(const streams::PictureQuality& f, const QualityThresholds& t,
                                       const Baseline& baseline) {
  std::vector<std::string> failed;
  const bool black = f.luma < t.black_luma && f.contrast < t.black_contrast;
  if (black) return {"black"};  // a black picture is also flat, still and blurred: say black
  const bool covered =
      f.flat >= t.covered_absolute ||
      (baseline.flat >= 0 && f.flat >= t.covered_min && f.flat >= baseline.flat + t.covered_rise);
  if (covered) failed.emplace_back("covered");
  if (f.motion >= 0 && f.motion < t.frozen_motion) failed.emplace_back("frozen");
  if (f.shake > t.shake) failed.emplace_back("shaking");
  const bool blurred_absolute = f.sharpness < t.blur_sharpness;
  const bool blurred_relative =
      baseline.sharpness > 0 && f.sharpness < t.blur_of_baseline * baseline.sharpness;
  // A picture too dark or too bright has lost contrast, and with it sharpness: the exposure is
  // the fault to name, not the focus (as a board is, not the blur it seems to add).
  const bool exposure = f.luma < t.dark_luma || f.luma > t.bright_luma;
  if ((blurred_absolute || blurred_relative) && !covered && !exposure) failed.emplace_back("blur");
  if (f.noise > t.noise) failed.emplace_back("noise");
  if (f.colour_cast > t.cast) failed.emplace_back("colour_cast");
  if (f.luma < t.dark_luma) failed.emplace_back("too_dark");
  if (f.luma > t.bright_luma) failed.emplace_back("too_bright");
  // The scene is judged on a picture that shows one: not on a board, a blur, snow or a bad
  // exposure (those are the fault to name; the view behind them may be the right one).
  const bool scene_visible = !covered && !exposure && f.noise <= t.noise &&
                             std::find(failed.begin(), failed.end(), "blur") == failed.end();
  if (f.scene_match >= 0 && scene_visible &&
      (f.scene_match < t.scene_match || f.scene_shift > t.scene_shift))
    failed.emplace_back("scene_changed");
  return failed;
}

QualityThresholds with_overrides(QualityThresholds base,
                                 const std::map<std::string, double>& by_name) {
  for (const auto& field : kThresholdFields)
    if (auto it = by_name.find(std::string(field.name)); it != by_name.end())
      base.*field.member = it->second;
  return base;
}

Baseline QualityTracker::baseline() const {
  Baseline b;
  if (sharpness_samples_ >= 3) b.sharpness = sharpness_;
  if (flat_samples_ >= 3) b.flat = flat_;
  return b;
}

const std::vector<std::string>& QualityTracker::update(const streams::PictureQuality& figures) {
  const auto failed = failed_checks(figures, thresholds_, baseline());
  faults_.clear();
  for (std::size_t i = 0; i < kChecks.size(); ++i) {
    Count& c = counts_[i];
    const bool bad = std::find(failed.begin(), failed.end(), kChecks[i]) != failed.end();
    c.bad = bad ? c.bad + 1 : 0;
    c.good = bad ? 0 : c.good + 1;
    if (!c.held && c.bad >= thresholds_.enter_after) c.held = true;
    if (c.held && c.good >= thresholds_.leave_after) c.held = false;
    if (c.held) faults_.emplace_back(kChecks[i]);
  }
  // The camera's own look, learnt while it is fine.
  auto learn = [](double& average, int& samples, double value) {
    average = samples == 0 ? value : 0.9 * average + 0.1 * value;
    ++samples;
  };
  if (failed.empty()) learn(sharpness_, sharpness_samples_, figures.sharpness);
  const auto failed_check = [&](std::string_view c) {
    return std::find(failed.begin(), failed.end(), c) != failed.end();
  };
  if (!failed_check("black") && !failed_check("covered")) learn(flat_, flat_samples_, figures.flat);
  return faults_;
}

}  // namespace vw::controller::quality
