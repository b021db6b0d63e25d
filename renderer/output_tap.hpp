// A live output's view of the wall (issue "The wall goes out"): which part of the composite it
// takes, at what size and rate, and where its frames go. Plain data, no GL.
// Threads: built anywhere and handed to Renderer::set_outputs; `deliver` is called on the render
// thread and must not block (an output puts the frame in its own one-slot mailbox).
#pragma once

#include <array>
#include <functional>
#include <string>

#include "streams/video_frame.hpp"

namespace vw::renderer {

struct OutputTap {
  std::string id;
  // The part of the wall it shows: x0, y0, x1, y1, normalised to the wall's output, y down.
  std::array<float, 4> source{0, 0, 1, 1};
  int width = 1280;  // the output's picture, scaled from `source` on the GPU
  int height = 720;
  int fps = 25;  // at most this many frames a second; none while the wall does not change
  // (but one a second for the watermark's clock)
  // Drawn at the bottom right of every picture with the time and `id` (picture_marks.hpp);
  // every tap has one, the config's output_watermark.
  std::string watermark = "内部资料 · 严禁外传";
  // Each read-back frame: RGBA, top row first, `received` = the composite's time; the privacy
  // masks of every camera in it filled, lifted on the wall or not, and the watermark drawn.
  std::function<void(streams::FramePtr)> deliver;
};

}  // namespace vw::renderer
