#include "streams/frame_scaler.hpp"

extern "C" {
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace vw::streams {
namespace {

constexpr int kAlign = 32;          // row alignment of scratch planes and outputs (SIMD loads)
constexpr std::size_t kTail = 256;  // spare bytes after each buffer libswscale writes or reads

int aligned(int bytes) {
  return (bytes + kAlign - 1) / kAlign * kAlign;
}

// A rectangle in a frame's own pixels.
struct Roi {
  int x = 0, y = 0, w = 0, h = 0;
};

// The part of `frame` that shows `want` (normalised to the source picture): the frame covers
// frame.crop of its source. YUV frames start and end on even luma columns and rows, so the
// chroma rectangle is exact.
Roi source_roi(const VideoFrame& frame, const std::array<float, 4>& want, bool even) {
  auto map = [](float v, float a, float b, int size) {
    const double t = b > a ? (static_cast<double>(v) - a) / (b - a) : 0.0;
    return static_cast<int>(std::lround(std::clamp(t, 0.0, 1.0) * size));
  };
  int x0 = map(want[0], frame.crop[0], frame.crop[2], frame.width);
  int x1 = map(want[2], frame.crop[0], frame.crop[2], frame.width);
  int y0 = map(want[1], frame.crop[1], frame.crop[3], frame.height);
  int y1 = map(want[3], frame.crop[1], frame.crop[3], frame.height);
  if (even) {
    x0 &= ~1;
    y0 &= ~1;
    x1 = std::min(frame.width, x1 + (x1 & 1));
    y1 = std::min(frame.height, y1 + (y1 & 1));
  }
  x1 = std::max(x1, std::min(frame.width, x0 + 1));
  y1 = std::max(y1, std::min(frame.height, y0 + 1));
  return {x0, y0, x1 - x0, y1 - y0};
}

// Each thread's scratch: halving steps, the shrunk planes and the RGBA converter.
struct Scratch {
  cv::Mat half[2];
  std::vector<std::uint8_t> planes;
  SwsContext* sws = nullptr;
  std::array<int, 3> sws_key{};  // width, height, format of `sws`
  int sws_matrix = -1, sws_range = -1;
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { sws_freeContext(sws); }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// `src` brought to dst's size: exact halves with the area filter (OpenCV's fast path) while the
// picture is at least twice too big, then one bilinear step. Each output pixel so averages
// about its footprint, as the GPU path's spread taps do.
void shrink_into(cv::Mat src, cv::Mat& dst, Scratch& s) {
  int step = 0;
  while (src.cols >= 2 * dst.cols && src.rows >= 2 * dst.rows && src.cols >= 2 && src.rows >= 2) {
    const cv::Mat even = src(cv::Rect(0, 0, src.cols & ~1, src.rows & ~1));
    const cv::Size half(even.cols / 2, even.rows / 2);
    if (half == dst.size()) {
      cv::resize(even, dst, half, 0, 0, cv::INTER_AREA);
      return;
    }
    cv::Mat& next = s.half[step++ % 2];
    cv::resize(even, next, half, 0, 0, cv::INTER_AREA);
    src = next;
  }
  if (src.size() == dst.size()) {
    src.copyTo(dst);
  } else {
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_LINEAR);
  }
}

bool convert_to_rgba(Scratch& s, AVPixelFormat format, int width, int height,
                     const std::uint8_t* const planes[3], const int strides[3], bool bt709,
                     bool full_range, std::uint8_t* out, int out_stride) {
  // One context per thread, made anew for another size or format. (Not sws_getCachedContext:
  // libswscale amends a context's flags while initialising it, so the cache would rebuild the
  // context, with default colours, on every call.)
  const std::array<int, 3> key{width, height, static_cast<int>(format)};
  if (s.sws == nullptr || key != s.sws_key) {
    sws_freeContext(s.sws);
    s.sws = sws_getContext(width, height, format, width, height, AV_PIX_FMT_RGBA, SWS_BILINEAR,
                           nullptr, nullptr, nullptr);
    if (s.sws == nullptr) return false;
    s.sws_key = key;
    s.sws_matrix = s.sws_range = -1;
  }
  const int matrix = bt709 ? SWS_CS_ITU709 : SWS_CS_ITU601;
  const int range = full_range ? 1 : 0;
  if (matrix != s.sws_matrix || range != s.sws_range) {
    sws_setColorspaceDetails(s.sws, sws_getCoefficients(matrix), range,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    s.sws_matrix = matrix;
    s.sws_range = range;
  }
  std::uint8_t* const dst[4] = {out, nullptr, nullptr, nullptr};
  const int dst_strides[4] = {out_stride, 0, 0, 0};
  return sws_scale(s.sws, planes, strides, 0, height, dst, dst_strides) == height;
}

}  // namespace

bool satisfies(const VideoFrame& frame, const ScaleTarget& target) {
  return frame.format == PixelFormat::RGBA && frame.width == target.width &&
         frame.height == target.height && frame.source_w() == target.source_width &&
         frame.source_h() == target.source_height && frame.crop == target.crop;
}

bool applies_to(const ScaleTarget& target, const VideoFrame& frame) {
  return frame.source_w() == target.source_width && frame.source_h() == target.source_height;
}

// scale_frame's work; OpenCV reports what it cannot do by throwing.
static FramePtr make_scaled(const VideoFrame& frame, const ScaleTarget& target) {
  if (target.width <= 0 || target.height <= 0 || target.width > kMaxScaledSide ||
      target.height > kMaxScaledSide || !check_frame(frame, kMaxScaledSide).empty()) {
    return nullptr;
  }
  static std::once_flag opencv_threads;
  // Cameras already scale in parallel on their own threads; OpenCV's pool would only add
  // hand-offs and oversubscribe the cores.
  std::call_once(opencv_threads, [] { cv::setNumThreads(1); });

  const int w = target.width;
  const int h = target.height;
  const int out_stride = aligned(w * 4);
  // Left uninitialised: every byte is written below. libswscale's SIMD writes whole vectors past
  // the last pixel of the last row, so the buffer has kTail spare bytes (a heap overflow caught
  // by glibc once the buffer stood alone; ASan cannot see writes from uninstrumented libraries).
  // (Not make_shared_for_overwrite: GCC 12's array control block trips UBSan's vptr check when
  // released through shared_ptr<void>.)
  std::shared_ptr<std::uint8_t[]> memory(
      new std::uint8_t[static_cast<std::size_t>(out_stride) * static_cast<std::size_t>(h) + kTail]);
  Scratch& s = scratch();
  const bool yuv = frame.format != PixelFormat::RGBA;
  const Roi roi = source_roi(frame, target.crop, yuv);
  if (roi.w <= 0 || roi.h <= 0) return nullptr;  // a crop past a 1-pixel picture's edge
  auto plane = [&](int i, int type, int x, int y, int cols, int rows) {
    const auto index = static_cast<std::size_t>(i);
    const int bpp = CV_ELEM_SIZE(type);
    return cv::Mat(rows, cols, type,
                   const_cast<std::uint8_t*>(frame.planes[index]) +
                       static_cast<std::ptrdiff_t>(y) * frame.strides[index] + x * bpp,
                   static_cast<std::size_t>(frame.strides[index]));
  };

  if (!yuv) {
    cv::Mat out(h, w, CV_8UC4, memory.get(), static_cast<std::size_t>(out_stride));
    shrink_into(plane(0, CV_8UC4, roi.x, roi.y, roi.w, roi.h), out, s);
  } else {
    const bool nv12 = frame.format == PixelFormat::NV12;
    const AVPixelFormat format = nv12 ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P;
    const bool bt709 = frame.matrix == ColorMatrix::BT709;
    // Chroma rectangle: the ROI starts on even luma, so half of it, rounded out.
    const int cx = roi.x / 2, cy = roi.y / 2;
    const int cw = (roi.x + roi.w + 1) / 2 - cx, ch = (roi.y + roi.h + 1) / 2 - cy;
    const std::uint8_t* planes[3] = {nullptr, nullptr, nullptr};
    int strides[3] = {0, 0, 0};
    if (roi.w == w && roi.h == h) {
      // Same size: convert straight from the decoder's planes.
      for (int i = 0; i < frame.plane_count; ++i) {
        const auto index = static_cast<std::size_t>(i);
        const bool luma = i == 0;
        const int bpp = luma ? 1 : (nv12 ? 2 : 1);
        planes[i] = frame.planes[index] +
                    static_cast<std::ptrdiff_t>(luma ? roi.y : cy) * frame.strides[index] +
                    (luma ? roi.x : cx) * bpp;
        strides[i] = frame.strides[index];
      }
    } else {
      const int dcw = (w + 1) / 2, dch = (h + 1) / 2;
      const int ys = aligned(w), cs = aligned(nv12 ? 2 * dcw : dcw);
      const std::size_t y_bytes = static_cast<std::size_t>(ys) * static_cast<std::size_t>(h);
      const std::size_t c_bytes = static_cast<std::size_t>(cs) * static_cast<std::size_t>(dch);
      s.planes.resize(y_bytes + 2 * c_bytes + kAlign + kTail);
      auto* base = reinterpret_cast<std::uint8_t*>(
          (reinterpret_cast<std::uintptr_t>(s.planes.data()) + kAlign - 1) &
          ~static_cast<std::uintptr_t>(kAlign - 1));
      cv::Mat y_out(h, w, CV_8UC1, base, static_cast<std::size_t>(ys));
      shrink_into(plane(0, CV_8UC1, roi.x, roi.y, roi.w, roi.h), y_out, s);
      planes[0] = base;
      strides[0] = ys;
      if (nv12) {
        cv::Mat uv_out(dch, dcw, CV_8UC2, base + y_bytes, static_cast<std::size_t>(cs));
        shrink_into(plane(1, CV_8UC2, cx, cy, cw, ch), uv_out, s);
        planes[1] = base + y_bytes;
        strides[1] = cs;
      } else {
        for (int i = 1; i < 3; ++i) {
          std::uint8_t* dst = base + y_bytes + static_cast<std::size_t>(i - 1) * c_bytes;
          cv::Mat c_out(dch, dcw, CV_8UC1, dst, static_cast<std::size_t>(cs));
          shrink_into(plane(i, CV_8UC1, cx, cy, cw, ch), c_out, s);
          planes[i] = dst;
          strides[i] = cs;
        }
      }
    }
    if (!convert_to_rgba(s, format, w, h, planes, strides, bt709, frame.full_range, memory.get(),
                         out_stride)) {
      return nullptr;
    }
  }

  auto out = std::make_shared<VideoFrame>();
  out->format = PixelFormat::RGBA;
  out->width = w;
  out->height = h;
  out->matrix = frame.matrix;
  out->full_range = true;
  out->plane_count = 1;
  out->planes = {memory.get(), nullptr, nullptr};
  out->strides = {out_stride, 0, 0};
  out->sequence = frame.sequence;
  out->received = frame.received;
  out->storage = std::move(memory);
  out->source_width = target.source_width;
  out->source_height = target.source_height;
  out->crop = target.crop;
  return out;
}

FramePtr scale_frame(const VideoFrame& frame, const ScaleTarget& target) {
  try {
    return make_scaled(frame, target);
  } catch (const cv::Exception&) {
    return nullptr;  // callers keep the frame as decoded (streams) or show the tile's state
  }
}

}  // namespace vw::streams
