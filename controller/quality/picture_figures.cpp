#include "controller/quality/picture_figures.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace vw::controller::quality {
namespace {

using streams::PixelFormat;

// A plane of `frame` as a Mat header over its memory (no copy).
cv::Mat plane(const streams::VideoFrame& frame, int index, int width, int height, int type) {
  return cv::Mat(height, width, type, const_cast<std::uint8_t*>(frame.planes[index]),
                 static_cast<std::size_t>(frame.strides[index]));
}

// Distance of the mean (U, V) from neutral grey.
double cast_of(double u, double v) {
  return std::hypot(u - 128.0, v - 128.0);
}

// The luminance of `frame` (a view of its Y plane, or converted from RGBA) and, when `cast` is
// given, the distance of its mean chroma from neutral.
bool luma_of(const streams::VideoFrame& frame, cv::Mat& luma, double* cast) {
  const int w = frame.width, h = frame.height;
  if (w < 16 || h < 16 || frame.planes[0] == nullptr) return false;
  if (frame.format == PixelFormat::RGBA) {
    const cv::Mat rgba = plane(frame, 0, w, h, CV_8UC4);
    cv::cvtColor(rgba, luma, cv::COLOR_RGBA2GRAY);
    if (cast) {
      // Chroma is linear in RGB, so the mean chroma is the chroma of the mean colour (BT.601).
      const cv::Scalar m = cv::mean(rgba);
      const double u = 128 - 0.168736 * m[0] - 0.331264 * m[1] + 0.5 * m[2];
      const double v = 128 + 0.5 * m[0] - 0.418688 * m[1] - 0.081312 * m[2];
      *cast = cast_of(u, v);
    }
  } else if (frame.format == PixelFormat::I420) {
    luma = plane(frame, 0, w, h, CV_8UC1);
    if (cast) {
      const double u = cv::mean(plane(frame, 1, (w + 1) / 2, (h + 1) / 2, CV_8UC1))[0];
      const double v = cv::mean(plane(frame, 2, (w + 1) / 2, (h + 1) / 2, CV_8UC1))[0];
      *cast = cast_of(u, v);
    }
  } else {  // NV12: interleaved UV
    luma = plane(frame, 0, w, h, CV_8UC1);
    if (cast) {
      const cv::Scalar uv = cv::mean(plane(frame, 1, (w + 1) / 2, (h + 1) / 2, CV_8UC2));
      *cast = cast_of(uv[0], uv[1]);
    }
  }
  return true;
}

void to_analysis_size(const cv::Mat& luma, cv::Mat& grey) {
  const int aw = kAnalysisWidth;
  const int ah = std::max(16, static_cast<int>(std::lround(double(luma.rows) * aw / luma.cols)));
  cv::resize(luma, grey, cv::Size(aw, ah), 0, 0, cv::INTER_AREA);
}

// The global shift from `a` to `b` and the correlation peak's response.
cv::Point2d correlate(const cv::Mat& a, const cv::Mat& b, const cv::Mat& window, double& response) {
  cv::Mat fa, fb;
  a.convertTo(fa, CV_64F);
  b.convertTo(fb, CV_64F);
  return cv::phaseCorrelate(fa, fb, window, &response);
}

// The global shift from `a` to `b`; zero when the correlation peak is too weak to trust.
cv::Point2d shift_between(const cv::Mat& a, const cv::Mat& b, const cv::Mat& window) {
  double response = 0;
  const cv::Point2d shift = correlate(a, b, window, response);
  return response < 0.05 ? cv::Point2d() : shift;
}

}  // namespace

bool analysis_luma(const streams::VideoFrame& frame, cv::Mat& grey) {
  cv::Mat luma;
  if (!luma_of(frame, luma, nullptr)) return false;
  to_analysis_size(luma, grey);
  return true;
}

double shake_of(const std::vector<cv::Mat>& pictures, const std::vector<std::uint64_t>& frames) {
  if (pictures.size() < 3 || frames.size() != pictures.size()) return 0;
  for (std::size_t i = 0; i < pictures.size(); ++i)
    if (pictures[i].empty() || pictures[i].size() != pictures.front().size() ||
        (i > 0 && frames[i] <= frames[i - 1]))
      return 0;
  cv::Mat window;
  cv::createHanningWindow(window, pictures.front().size(), CV_64F);
  std::vector<cv::Point2d> steps;  // motion per frame
  for (std::size_t i = 1; i < pictures.size(); ++i)
    steps.push_back(shift_between(pictures[i - 1], pictures[i], window) /
                    double(frames[i] - frames[i - 1]));
  double shake = 0;
  for (std::size_t i = 1; i < steps.size(); ++i) {
    const cv::Point2d change = steps[i] - steps[i - 1];
    shake = std::max(shake, std::hypot(change.x, change.y));
  }
  return shake;
}

void scene_against(const cv::Mat& reference, const cv::Mat& grey,
                   streams::PictureQuality& figures) {
  cv::Mat picture = grey;
  if (grey.size() != reference.size())
    cv::resize(grey, picture, reference.size(), 0, 0, cv::INTER_AREA);
  cv::Mat window;
  cv::createHanningWindow(window, reference.size(), CV_64F);
  double response = 0;
  const cv::Point2d shift = correlate(reference, picture, window, response);
  figures.scene_match = std::clamp(response, 0.0, 1.0);
  figures.scene_shift = std::hypot(shift.x, shift.y);
}

bool measure(const streams::VideoFrame& frame, const cv::Mat& previous, cv::Mat& grey,
             streams::PictureQuality& figures) {
  cv::Mat luma;
  if (!luma_of(frame, luma, &figures.colour_cast)) return false;
  to_analysis_size(luma, grey);

  cv::Scalar mean, stddev;
  cv::meanStdDev(grey, mean, stddev);
  figures.luma = mean[0];
  figures.contrast = stddev[0];
  cv::Mat laplacian;
  cv::Laplacian(grey, laplacian, CV_32F);
  cv::meanStdDev(laplacian, mean, stddev);
  figures.sharpness = stddev[0] * stddev[0];
  cv::Mat median, deviation;
  cv::medianBlur(grey, median, 3);
  cv::absdiff(grey, median, deviation);
  figures.noise = cv::mean(deviation)[0];
  figures.motion = -1;
  if (!previous.empty() && previous.size() == grey.size()) {
    cv::Mat diff;
    cv::absdiff(grey, previous, diff);
    figures.motion = cv::mean(diff)[0];
  }
  // Blocks of 16x16 without texture (a lens cap, a board, a wall right in front of the lens).
  int blocks = 0, flat = 0;
  for (int y = 0; y + 16 <= grey.rows; y += 16)
    for (int x = 0; x + 16 <= grey.cols; x += 16) {
      cv::meanStdDev(grey(cv::Rect(x, y, 16, 16)), mean, stddev);
      ++blocks;
      flat += stddev[0] < 2.0;
    }
  figures.flat = blocks > 0 ? double(flat) / blocks : 0;
  return true;
}

}  // namespace vw::controller::quality
