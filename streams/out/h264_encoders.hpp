// The H.264 encoders a live output can use (issue "The wall goes out"): a hardware one when the
// machine has it (NVENC, VA-API, V4L2 M2M), else x264 tuned for zero latency, or openh264; each
// with its own low-latency settings for the output's bitrate and key frame interval.
// GStreamer registers the hardware encoders only where their device and driver are present, so
// "auto" tries those that exist, in order, then x264enc; one that failed (its pipeline did not
// start, or posted an error) is left out of "auto" from then on, for the life of the process.
// Threads: any (the failed set has its own lock).
#pragma once

#include <string>
#include <vector>

#include "streams/out/encoder_names.hpp"
#include "streams/out/live_output.hpp"

namespace vw::streams {

// The GStreamer elements to try for `name`, in order. Empty, with `why`, when `name` is unknown
// or names an encoder this machine does not have.
std::vector<std::string> encoder_candidates(const std::string& name, std::string& why);

// The pipeline text from the raw pictures to the encoder (named "encoder") for `factory`:
// scaling and conversion to what it takes, and its settings for `encoding`.
std::string encoder_stage(const std::string& factory, const OutputEncoding& encoding);

// Whether `factory` is a hardware encoder (what "auto" leaves out once it failed).
bool is_hardware_encoder(const std::string& factory);
void mark_encoder_failed(const std::string& factory);

}  // namespace vw::streams
