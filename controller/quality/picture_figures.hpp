// The figures of one sampled picture that the quality checks read (视频质量诊断): luminance,
// contrast, sharpness, motion against the previous sample, chroma cast, noise and the share of
// flat blocks. Measured on the luminance brought to a fixed analysis size (kAnalysisWidth wide),
// so the thresholds mean the same for a 4K main stream and a CIF sub stream; planar YUV frames
// are read in place (the Y plane is the grey image), tile-sized RGBA frames of the software render
// path are converted first.
// Threads: any; pure apart from the caller's `grey` buffers.
#pragma once

#include <opencv2/core.hpp>

#include "streams/stream_channel.hpp"
#include "streams/video_frame.hpp"

namespace vw::controller::quality {

inline constexpr int kAnalysisWidth = 320;

// The figures of `frame`; `grey` receives its analysis-size luminance (for the next call's
// `previous`, which may be empty: then motion is -1). False for a frame it cannot read.
bool measure(const streams::VideoFrame& frame, const cv::Mat& previous, cv::Mat& grey,
             streams::PictureQuality& figures);

}  // namespace vw::controller::quality
