// The H.264 encoders a live output's config may name, and the GStreamer element of each, without
// GStreamer itself (the config reader and its fuzzer use it). h264_encoders.hpp builds them.
// Threads: any.
#pragma once

#include <string>
#include <vector>

namespace vw::streams {

struct KnownEncoder {
  const char* name;     // what the config says: "nvenc"
  const char* factory;  // the GStreamer element: "nvh264enc"
  bool hardware;
};

// Every encoder, hardware ones first in the order "auto" tries them: NVENC, the newer VA
// plugin, gstreamer-vaapi, V4L2 memory-to-memory (SoCs); then x264 and openh264.
const std::vector<KnownEncoder>& known_encoders();

// The names a config may give: auto, then each known encoder's.
const std::vector<std::string>& encoder_names();

}  // namespace vw::streams
