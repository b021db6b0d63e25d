#include "streams/out/encoder_names.hpp"

namespace vw::streams {

const std::vector<KnownEncoder>& known_encoders() {
  static const std::vector<KnownEncoder> known = {
      {"nvenc", "nvh264enc", true},  {"va", "vah264enc", true},  {"vaapi", "vaapih264enc", true},
      {"v4l2", "v4l2h264enc", true}, {"x264", "x264enc", false}, {"openh264", "openh264enc", false},
  };
  return known;
}

const std::vector<std::string>& encoder_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out{"auto"};
    for (const KnownEncoder& k : known_encoders()) out.emplace_back(k.name);
    return out;
  }();
  return names;
}

}  // namespace vw::streams
