// The figures of one sampled picture that the quality checks read (视频质量诊断): luminance,
// contrast, sharpness, motion against the previous sample, chroma cast, noise and the share of
// flat blocks. Measured on the luminance brought to a fixed analysis size (kAnalysisWidth wide),
// so the thresholds mean the same for a 4K main stream and a CIF sub stream; planar YUV frames
// are read in place (the Y plane is the grey image), tile-sized RGBA frames of the software render
// path are converted first.
// Threads: any; pure apart from the caller's `grey` buffers.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "streams/stream_channel.hpp"
#include "streams/video_frame.hpp"

namespace vw::controller::quality {

inline constexpr int kAnalysisWidth = 320;

// The figures of `frame`; `grey` receives its analysis-size luminance (for the next call's
// `previous`, which may be empty: then motion is -1). False for a frame it cannot read.
// figures.shake is left alone (see shake_of).
bool measure(const streams::VideoFrame& frame, const cv::Mat& previous, cv::Mat& grey,
             streams::PictureQuality& figures);

// `frame`'s luminance at the analysis size; false for a frame it cannot read.
bool analysis_luma(const streams::VideoFrame& frame, cv::Mat& grey);

// Shaking (画面抖动) from analysis-size pictures of one stream a few frames apart (`frames`: each
// picture's frame number, increasing): the global motion of each step (phase correlation) per
// frame, and the largest change of it from one step to the next, in analysis pixels per frame.
// A still camera and a steady pan change nothing (0), however many frames each step spans; a
// loose mount in the wind jumps one way, then another. A picture without enough structure to
// tell counts as still.
double shake_of(const std::vector<cv::Mat>& pictures, const std::vector<std::uint64_t>& frames);

// The scene check's figures (场景变更): how well the analysis-size picture `grey` still matches
// `reference` (the one the operator confirmed), by phase correlation: figures.scene_match, the
// peak response (0..1: near 0 for another view or another zoom; lighting and passing traffic
// leave it high), and figures.scene_shift, how far the view moved (analysis pixels). A picture of
// another size is brought to the reference's first.
void scene_against(const cv::Mat& reference, const cv::Mat& grey, streams::PictureQuality& figures);

}  // namespace vw::controller::quality
