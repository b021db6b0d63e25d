// Synthetic frames and pixel checks for the renderer tests: solid-colour YUV frames whose
// planes live in a std::vector owned by VideoFrame::storage, with the YUV computed here
// independently of the renderer's shader.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "renderer/renderer.hpp"
#include "streams/stream_channel.hpp"

namespace vw::renderer::test {

using streams::ColorMatrix;
using streams::PixelFormat;
using streams::StreamChannel;
using streams::StreamState;
using streams::VideoFrame;

struct Rgb {
  int r, g, b;
};

constexpr Rgb kRed{255, 0, 0};
constexpr Rgb kGreen{0, 255, 0};
constexpr Rgb kBlue{0, 0, 255};
constexpr Rgb kGrey{128, 128, 128};
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kWhite{255, 255, 255};

struct Yuv {
  std::uint8_t y, u, v;
};

// The inverse of what the shader must do, computed independently here.
inline Yuv to_yuv(Rgb c, ColorMatrix matrix, bool full_range) {
  const double kr = matrix == ColorMatrix::BT709 ? 0.2126 : 0.299;
  const double kb = matrix == ColorMatrix::BT709 ? 0.0722 : 0.114;
  const double r = c.r / 255.0, g = c.g / 255.0, b = c.b / 255.0;
  const double y = kr * r + (1 - kr - kb) * g + kb * b;
  const double pb = (b - y) / (2 * (1 - kb));
  const double pr = (r - y) / (2 * (1 - kr));
  auto code = [](double v) {
    return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
  };
  if (full_range) return {code(255 * y), code(128 + 255 * pb), code(128 + 255 * pr)};
  return {code(16 + 219 * y), code(128 + 224 * pb), code(128 + 224 * pr)};
}

struct FrameSpec {
  PixelFormat format = PixelFormat::I420;
  int width = 64;
  int height = 36;
  ColorMatrix matrix = ColorMatrix::BT709;
  bool full_range = false;
  int stride_pad = 0;  // bytes of padding past each row
};

// A frame of one colour; the planes live in a vector that `storage` owns.
inline streams::FramePtr solid_frame(const FrameSpec& spec, Rgb colour, std::uint64_t sequence) {
  const Yuv yuv = to_yuv(colour, spec.matrix, spec.full_range);
  const int cw = (spec.width + 1) / 2;
  const int ch = (spec.height + 1) / 2;
  const int y_stride = spec.width + spec.stride_pad;
  const bool nv12 = spec.format == PixelFormat::NV12;
  const int c_stride = (nv12 ? 2 * cw : cw) + spec.stride_pad;
  const std::size_t y_size = static_cast<std::size_t>(y_stride) * spec.height;
  const std::size_t c_size = static_cast<std::size_t>(c_stride) * ch;
  auto memory = std::make_shared<std::vector<std::uint8_t>>(y_size + 2 * c_size, 0xEE);
  std::uint8_t* base = memory->data();
  for (int r = 0; r < spec.height; ++r) std::memset(base + r * y_stride, yuv.y, spec.width);
  std::uint8_t* c0 = base + y_size;
  std::uint8_t* c1 = c0 + c_size;
  for (int r = 0; r < ch; ++r) {
    for (int x = 0; x < cw; ++x) {
      if (nv12) {
        c0[r * c_stride + 2 * x] = yuv.u;
        c0[r * c_stride + 2 * x + 1] = yuv.v;
      } else {
        c0[r * c_stride + x] = yuv.u;
        c1[r * c_stride + x] = yuv.v;
      }
    }
  }
  auto f = std::make_shared<VideoFrame>();
  f->format = spec.format;
  f->width = spec.width;
  f->height = spec.height;
  f->matrix = spec.matrix;
  f->full_range = spec.full_range;
  f->plane_count = nv12 ? 2 : 3;
  f->planes = {base, c0, nv12 ? nullptr : c1};
  f->strides = {y_stride, c_stride, nv12 ? 0 : c_stride};
  f->sequence = sequence;
  f->received = std::chrono::steady_clock::now();
  f->storage = memory;
  return f;
}

// Names the instances of tests run once per render path: .../gpu, .../cpu.
inline std::string path_name(const ::testing::TestParamInfo<RenderPath>& info) {
  return std::string(to_string(info.param));
}

inline Rgb at(const Image& image, int x, int y) {
  const std::uint32_t p = image.pixel(x, y);
  return {static_cast<int>(p >> 24), static_cast<int>((p >> 16) & 0xFF),
          static_cast<int>((p >> 8) & 0xFF)};
}

inline ::testing::AssertionResult near(Rgb got, Rgb want, int tolerance = 6) {
  if (std::abs(got.r - want.r) <= tolerance && std::abs(got.g - want.g) <= tolerance &&
      std::abs(got.b - want.b) <= tolerance) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got (" << got.r << "," << got.g << "," << got.b << ") want (" << want.r << ","
         << want.g << "," << want.b << ") +-" << tolerance;
}

// Pixels of a rectangle (pixels) brighter than `threshold` in every channel sum.
inline int bright_pixels(const Image& image, int x0, int y0, int x1, int y1, int threshold = 450) {
  int count = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const Rgb c = at(image, x, y);
      if (c.r + c.g + c.b > threshold) ++count;
    }
  }
  return count;
}

// A stream with a mailbox and a state, publishing frames with increasing sequences.
struct TestStream {
  TestStream(const std::string& key, streams::Wakeup* wakeup)
      : channel(std::make_shared<StreamChannel>(key, "rtsp://test/" + key, wakeup)) {}
  void show(Rgb colour, const FrameSpec& spec = {}, StreamState state = StreamState::Playing) {
    channel->publish(solid_frame(spec, colour, ++sequence));
    channel->set_state(state);
  }
  std::shared_ptr<StreamChannel> channel;
  std::uint64_t sequence = 0;
};

inline TileView tile(double x, double y, double w, double h,
                     const std::shared_ptr<StreamChannel>& main, std::string label = "") {
  TileView t;
  t.rect = {x, y, w, h};
  t.camera_id = main ? main->key() : "";
  t.label = std::move(label);
  t.main = main;
  return t;
}

// Centre of a normalized rect in a width x height image.
inline std::pair<int, int> centre(const layouts::Rect& r, int width, int height) {
  return {static_cast<int>((r.x + r.w / 2) * width), static_cast<int>((r.y + r.h / 2) * height)};
}

inline WallView wall(int width = 1280, int height = 720) {
  WallView v;
  v.width = width;
  v.height = height;
  return v;
}

inline std::vector<layouts::Rect> grid(int n) {
  std::vector<layouts::Rect> rects;
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      rects.push_back({static_cast<double>(c) / n, static_cast<double>(r) / n, 1.0 / n, 1.0 / n});
    }
  }
  return rects;
}

// A "1+5" layout: one big tile top-left (2/3 x 2/3) and five small ones around it.
inline std::vector<layouts::Rect> one_plus_five() {
  const double t = 1.0 / 3;
  return {{0, 0, 2 * t, 2 * t}, {2 * t, 0, t, t}, {2 * t, t, t, t},
          {0, 2 * t, t, t},     {t, 2 * t, t, t}, {2 * t, 2 * t, t, t}};
}

}  // namespace vw::renderer::test
