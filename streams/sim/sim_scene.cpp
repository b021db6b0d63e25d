#include "streams/sim/sim_scene.hpp"

#include <algorithm>
#include <cstring>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace vw::streams {
namespace {

struct Named {
  SimDefect defect;
  std::string_view name;
};
constexpr std::array<Named, 11> kNames{{
    {SimDefect::None, "none"},
    {SimDefect::Black, "black"},
    {SimDefect::Frozen, "frozen"},
    {SimDefect::Blur, "blur"},
    {SimDefect::Covered, "covered"},
    {SimDefect::ColourCast, "colour_cast"},
    {SimDefect::Noise, "noise"},
    {SimDefect::TooDark, "too_dark"},
    {SimDefect::TooBright, "too_bright"},
    {SimDefect::Shaking, "shaking"},
    {SimDefect::Moved, "scene_changed"},
}};

struct Picture {
  cv::Mat y, u, v;
  Picture clone() const { return {y.clone(), u.clone(), v.clone()}; }
};

// Texture of every scale and hard edges, at the same apparent scale whatever the frame size.
Picture background(int width, int height, int variant) {
  cv::RNG rng(0x5eed + static_cast<std::uint64_t>(variant) * 7919);
  const double scale = width / 320.0;
  Picture p;
  cv::Mat noise(height, width, CV_8UC1);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 255);
  cv::GaussianBlur(noise, p.y, cv::Size(0, 0), 1.2 * scale);
  cv::normalize(p.y, p.y, 40, 200, cv::NORM_MINMAX);
  // Buildings with rows of windows along the top half, the road below.
  for (int x = 0; x < width;) {
    const int w = static_cast<int>(rng.uniform(30.0, 70.0) * scale);
    const int top = static_cast<int>(rng.uniform(0.05, 0.3) * height);
    const cv::Rect building(x, top, std::min(w - 2, width - x), height / 2 - top);
    cv::rectangle(p.y, building, cv::Scalar(rng.uniform(60, 190)), 2);
    for (int wy = building.y + 6; wy + 5 < building.y + building.height; wy += 10)
      for (int wx = building.x + 4; wx + 5 < building.x + building.width; wx += 9)
        cv::rectangle(p.y, cv::Rect(wx, wy, 4, 5), cv::Scalar(rng.uniform(20, 235)), cv::FILLED);
    x += w;
  }
  for (int lane = 1; lane < 4; ++lane)
    cv::line(p.y, cv::Point(0, height / 2 + lane * height / 8),
             cv::Point(width, height / 2 + lane * height / 8), cv::Scalar(220), 1);
  // Gentle colour, far from a cast: chroma varying by +-10 around neutral.
  cv::Mat low(std::max(2, height / 32), std::max(2, width / 32), CV_8UC2);
  rng.fill(low, cv::RNG::UNIFORM, 118, 138);
  cv::Mat uv;
  cv::resize(low, uv, cv::Size(width / 2, height / 2), 0, 0, cv::INTER_LINEAR);
  cv::Mat planes[2];
  cv::split(uv, planes);
  p.u = planes[0];
  p.v = planes[1];
  return p;
}

// Vehicles crossing the road (boxes with a lighter roof band, different speeds per lane) and a
// pedestrian walking along the buildings, so the upper half moves too.
void draw_traffic(Picture& p, int variant, std::int64_t index) {
  const int w = p.y.cols, h = p.y.rows;
  const int walker_w = std::max(4, w / 24), walker_h = std::max(6, h / 7);
  const std::int64_t walk = w + walker_w;
  const int walker_x = static_cast<int>((variant * 37 + index * std::max(1, w / 160)) % walk);
  cv::rectangle(p.y, cv::Rect(walker_x - walker_w, h / 2 - walker_h - 2, walker_w, walker_h),
                cv::Scalar(variant % 2 ? 30 : 230), cv::FILLED);
  const int car_w = std::max(8, w / 8), car_h = std::max(4, h / 12);
  for (int lane = 0; lane < 3; ++lane) {
    const int speed = (lane + 1 + variant % 3) * (lane % 2 ? -1 : 1) * std::max(1, w / 160);
    const std::int64_t span = w + car_w;
    std::int64_t x = (lane * w / 3 + speed * index) % span;
    if (x < 0) x += span;
    const cv::Rect car(static_cast<int>(x) - car_w, h / 2 + lane * h / 8 + 2, car_w, car_h);
    const cv::Scalar body(lane == 1 ? 225 : 35);
    cv::rectangle(p.y, car, body, cv::FILLED);
    cv::rectangle(p.y, cv::Rect(car.x + car_w / 4, car.y + 1, car_w / 2, car_h / 3),
                  cv::Scalar(lane == 1 ? 90 : 170), cv::FILLED);
    const cv::Rect chroma(car.x / 2, car.y / 2, car.width / 2, car.height / 2);
    cv::rectangle(p.v, chroma, cv::Scalar(lane == 0 ? 150 : 120), cv::FILLED);
  }
}

void apply(SimDefect defect, Picture& p, cv::RNG& rng) {
  switch (defect) {
    case SimDefect::None:
    case SimDefect::Frozen:  // handled by the painter: it repeats a frame
    case SimDefect::Moved:   // handled by the painter: another background
      return;
    case SimDefect::Black:
      p.y.setTo(16);
      p.u.setTo(128);
      p.v.setTo(128);
      return;
    case SimDefect::Blur: {
      const double sigma = p.y.cols / 80.0;
      cv::GaussianBlur(p.y, p.y, cv::Size(0, 0), sigma);
      cv::GaussianBlur(p.u, p.u, cv::Size(0, 0), sigma / 2);
      cv::GaussianBlur(p.v, p.v, cv::Size(0, 0), sigma / 2);
      return;
    }
    case SimDefect::Covered: {
      const int top = p.y.rows / 2;
      p.y(cv::Rect(0, top, p.y.cols, p.y.rows - top)).setTo(84);
      p.u(cv::Rect(0, top / 2, p.u.cols, p.u.rows - top / 2)).setTo(126);
      p.v(cv::Rect(0, top / 2, p.v.cols, p.v.rows - top / 2)).setTo(130);
      return;
    }
    case SimDefect::ColourCast:
      p.u.convertTo(p.u, -1, 0.5, 64 - 45);  // towards red: U down, V up
      p.v.convertTo(p.v, -1, 0.5, 64 + 50);
      return;
    case SimDefect::Noise: {
      cv::Mat snow(p.y.size(), CV_8UC1);
      rng.fill(snow, cv::RNG::UNIFORM, 16, 235);
      cv::addWeighted(p.y, 0.4, snow, 0.6, 0, p.y);
      return;
    }
    case SimDefect::TooDark:
      p.y.convertTo(p.y, -1, 0.25, 0);
      return;
    case SimDefect::TooBright:
      p.y.convertTo(p.y, -1, 0.3, 185);
      return;
    case SimDefect::Shaking: {  // the whole picture, chroma with it
      const double reach = p.y.cols / 40.0;
      const double dx = rng.uniform(-reach, reach), dy = rng.uniform(-reach, reach) / 2;
      const auto shift = [](cv::Mat& m, double x, double y) {
        const cv::Mat move = (cv::Mat_<double>(2, 3) << 1, 0, x, 0, 1, y);
        cv::warpAffine(m, m, move, m.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
      };
      shift(p.y, dx, dy);
      shift(p.u, dx / 2, dy / 2);
      shift(p.v, dx / 2, dy / 2);
      return;
    }
  }
}

void copy_plane(const cv::Mat& from, std::uint8_t* to, int stride) {
  for (int row = 0; row < from.rows; ++row)
    std::memcpy(to + static_cast<std::ptrdiff_t>(row) * stride, from.ptr(row),
                static_cast<std::size_t>(from.cols));
}

}  // namespace

std::optional<SimDefect> sim_defect_from_name(std::string_view name) {
  for (const auto& n : kNames)
    if (n.name == name) return n.defect;
  return std::nullopt;
}

std::string_view sim_defect_name(SimDefect defect) {
  for (const auto& n : kNames)
    if (n.defect == defect) return n.name;
  return "none";
}

std::string sim_defect_names() {
  std::string all;
  for (const auto& n : kNames) all += (all.empty() ? "" : ", ") + std::string(n.name);
  return all;
}

struct ScenePainter::State {
  int width, height, variant;
  SimDefect defect;
  std::int64_t onset;
  Picture background;
  std::optional<Picture> moved;   // the view of a camera that turned away
  std::optional<Picture> frozen;  // the frame a frozen camera repeats
  cv::RNG rng{12345};
};

ScenePainter::ScenePainter(int width, int height, int variant, SimDefect defect,
                           std::int64_t onset_frames)
    : state_(new State{width, height, variant, defect, onset_frames,
                       background(width, height, variant), std::nullopt, std::nullopt}) {
  if (defect == SimDefect::Moved) state_->moved = background(width, height, variant + 1000);
}

ScenePainter::~ScenePainter() = default;

void ScenePainter::paint(const ScenePlanes& frame, std::int64_t index) {
  State& s = *state_;
  if (frame.width != s.width || frame.height != s.height) return;
  const bool defective = s.defect != SimDefect::None && index >= s.onset;
  Picture p;
  if (defective && s.frozen) {
    p = *s.frozen;
  } else {
    p = (defective && s.moved ? *s.moved : s.background).clone();
    draw_traffic(p, s.variant, index);
    if (defective && s.defect == SimDefect::Frozen) s.frozen = p.clone();
    if (defective) apply(s.defect, p, s.rng);
  }
  copy_plane(p.y, frame.data[0], frame.stride[0]);
  copy_plane(p.u, frame.data[1], frame.stride[1]);
  copy_plane(p.v, frame.data[2], frame.stride[2]);
}

}  // namespace vw::streams
