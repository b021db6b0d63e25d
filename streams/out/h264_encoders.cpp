#include "streams/out/h264_encoders.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "streams/gst_init.hpp"

namespace vw::streams {

namespace {

std::mutex failed_mutex;
std::set<std::string>& failed() {
  static std::set<std::string> set;
  return set;
}

bool present(const char* factory) {
  ensure_gstreamer();
  GstElementFactory* f = gst_element_factory_find(factory);
  if (f == nullptr) return false;
  gst_object_unref(f);
  return true;
}

}  // namespace

bool is_hardware_encoder(const std::string& factory) {
  const auto& known = known_encoders();
  return std::any_of(known.begin(), known.end(),
                     [&](const KnownEncoder& k) { return k.hardware && factory == k.factory; });
}

void mark_encoder_failed(const std::string& factory) {
  if (!is_hardware_encoder(factory)) return;  // the software ones are the last resort
  std::lock_guard lock(failed_mutex);
  failed().insert(factory);
}

std::vector<std::string> encoder_candidates(const std::string& name, std::string& why) {
  std::vector<std::string> out;
  if (name == "auto") {
    std::lock_guard lock(failed_mutex);
    for (const KnownEncoder& k : known_encoders())
      if (k.hardware && present(k.factory) && failed().count(k.factory) == 0)
        out.emplace_back(k.factory);
    out.emplace_back("x264enc");
    return out;
  }
  for (const KnownEncoder& k : known_encoders()) {
    if (name != k.name) continue;
    if (present(k.factory)) return {k.factory};
    why = std::string("the encoder ") + k.name + " (" + k.factory +
          ") is not on this machine: GStreamer has no such element (" +
          (k.hardware ? "no device, or its driver or plugin is missing" : "its plugin is missing") +
          "); encoder: auto picks what there is";
    return {};
  }
  why = "unknown encoder \"" + name + "\"";
  return {};
}

std::string encoder_stage(const std::string& factory, const OutputEncoding& e) {
  const std::string kbps = std::to_string(e.bitrate_kbps);
  const std::string gop = std::to_string(std::max(1, e.fps * e.keyframe_s));
  const std::string size = "width=" + std::to_string(e.width) +
                           ",height=" + std::to_string(e.height) + ",pixel-aspect-ratio=1/1";
  // The software encoders get I420 (x264enc would otherwise take 4:4:4, which few decoders
  // play); the hardware ones negotiate their own format (NV12 mostly).
  const bool software = factory == "x264enc" || factory == "openh264enc";
  std::string out = "videoconvertscale ! video/x-raw," + (software ? "format=I420," + size : size) +
                    " ! " + factory + " name=encoder ";
  if (factory == "x264enc") {
    out += "tune=zerolatency speed-preset=veryfast bitrate=" + kbps + " key-int-max=" + gop;
  } else if (factory == "openh264enc") {
    out += "bitrate=" + std::to_string(e.bitrate_kbps * 1000) + " gop-size=" + gop +
           " complexity=low rate-control=bitrate";
  } else if (factory == "nvh264enc") {
    out += "bitrate=" + kbps + " gop-size=" + gop + " rc-mode=cbr zerolatency=true";
  } else if (factory == "vah264enc") {
    out += "bitrate=" + kbps + " key-int-max=" + gop + " rate-control=cbr";
  } else if (factory == "vaapih264enc") {
    out += "bitrate=" + kbps + " keyframe-period=" + gop + " rate-control=cbr";
  } else if (factory == "v4l2h264enc") {
    out += "extra-controls=\"controls,video_bitrate=" + std::to_string(e.bitrate_kbps * 1000) +
           ",h264_i_frame_period=" + gop + "\"";
  }
  if (!e.profile.empty()) out += " ! video/x-h264,profile=" + e.profile;
  return out;
}

}  // namespace vw::streams
