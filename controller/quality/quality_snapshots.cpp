#include "controller/quality/quality_snapshots.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <opencv2/imgproc.hpp>

#include "controller/quality/file_names.hpp"
#include "renderer/image_codec.hpp"

namespace vw::controller::quality {
namespace {

namespace fs = std::filesystem;
using streams::PixelFormat;

constexpr int kJpegQuality = 80;

cv::Mat plane(const streams::VideoFrame& frame, int index, int width, int height, int type) {
  return cv::Mat(height, width, type, const_cast<std::uint8_t*>(frame.planes[index]),
                 static_cast<std::size_t>(frame.strides[index]));
}

// "<milliseconds since the epoch>_<16 hex>.jpg", the only names read() hands out.
bool our_name(const std::string& name) {
  const auto underscore = name.find('_');
  if (underscore == std::string::npos || underscore == 0 || underscore > 20 ||
      name.size() != underscore + 1 + 16 + 4 || !name.ends_with(".jpg"))
    return false;
  return std::all_of(name.begin(), name.begin() + static_cast<long>(underscore),
                     [](char c) { return c >= '0' && c <= '9'; }) &&
         std::all_of(name.begin() + static_cast<long>(underscore) + 1, name.end() - 4,
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::optional<renderer::Image> small_picture(const streams::VideoFrame& frame, int max_width) {
  const int w = frame.width, h = frame.height;
  if (w < 16 || h < 16 || max_width < 16 || frame.planes[0] == nullptr) return std::nullopt;
  // Even sizes: the chroma planes are half of them.
  const int tw = std::min(w, max_width) & ~1;
  const int th = std::max(2, static_cast<int>(std::lround(double(h) * tw / w)) & ~1);
  cv::Mat rgba;
  if (frame.format == PixelFormat::RGBA) {
    cv::resize(plane(frame, 0, w, h, CV_8UC4), rgba, cv::Size(tw, th), 0, 0, cv::INTER_AREA);
  } else {
    // One contiguous picture in the frame's own layout at the small size, then one conversion.
    cv::Mat yuv(th * 3 / 2, tw, CV_8UC1);
    cv::resize(plane(frame, 0, w, h, CV_8UC1), yuv(cv::Rect(0, 0, tw, th)), cv::Size(tw, th), 0, 0,
               cv::INTER_AREA);
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    if (frame.format == PixelFormat::I420) {
      cv::Mat u, v;
      cv::resize(plane(frame, 1, cw, ch, CV_8UC1), u, cv::Size(tw / 2, th / 2), 0, 0,
                 cv::INTER_AREA);
      cv::resize(plane(frame, 2, cw, ch, CV_8UC1), v, cv::Size(tw / 2, th / 2), 0, 0,
                 cv::INTER_AREA);
      // I420 below the luma: all of U, then all of V, each tw/2 wide: as rows of tw, packed.
      std::memcpy(yuv.ptr(th), u.data, u.total());
      std::memcpy(yuv.ptr(th) + u.total(), v.data, v.total());
      cv::cvtColor(yuv, rgba, cv::COLOR_YUV2RGBA_I420);
    } else {
      cv::Mat uv;
      cv::resize(plane(frame, 1, cw, ch, CV_8UC2), uv, cv::Size(tw / 2, th / 2), 0, 0,
                 cv::INTER_AREA);
      std::memcpy(yuv.ptr(th), uv.data, uv.total() * 2);
      cv::cvtColor(yuv, rgba, cv::COLOR_YUV2RGBA_NV12);
    }
  }
  renderer::Image image;
  image.width = tw;
  image.height = th;
  image.rgba.assign(rgba.data, rgba.data + rgba.total() * 4);
  return image;
}

QualitySnapshots::QualitySnapshots(fs::path dir, std::uint64_t quota_bytes)
    : dir_(std::move(dir)), quota_bytes_(quota_bytes) {}

void QualitySnapshots::make_room(std::uint64_t incoming) {
  std::vector<std::pair<std::string, std::uint64_t>> files;  // by name: oldest first
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!our_name(name)) continue;
    std::error_code size_error;
    const std::uint64_t size = entry.file_size(size_error);
    if (size_error) continue;
    files.emplace_back(name, size);
    total += size;
  }
  std::sort(files.begin(), files.end());
  for (const auto& [name, size] : files) {
    if (total + incoming <= quota_bytes_) break;
    std::error_code remove_error;
    if (fs::remove(dir_ / name, remove_error)) total -= size;
  }
}

std::string QualitySnapshots::save(const streams::VideoFrame& frame, const std::string& stream,
                                   SystemTime time) {
  const auto picture = small_picture(frame, kSnapshotWidth);
  if (!picture) return "";
  std::vector<std::uint8_t> jpeg;
  try {
    jpeg = renderer::encode_jpeg(*picture, kJpegQuality);
  } catch (const std::exception& e) {
    spdlog::warn("quality: snapshot of {} not encoded: {}", stream, e.what());
    return "";
  }
  std::error_code ec;
  fs::create_directories(dir_, ec);
  make_room(jpeg.size());
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::string name = std::to_string(ms) + "_" + short_hash(stream) + ".jpg";
  if (const std::string error = renderer::write_image_file((dir_ / name).string(), jpeg);
      !error.empty()) {
    spdlog::warn("quality: snapshot of {} not saved: {}", stream, error);
    return "";
  }
  return name;
}

std::vector<std::uint8_t> QualitySnapshots::read(const std::string& name) const {
  if (!our_name(name)) return {};
  std::ifstream in(dir_ / name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace vw::controller::quality
