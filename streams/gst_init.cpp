#include "streams/gst_init.hpp"

#include <gst/gst.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace vw::streams {

void ensure_gstreamer() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    GError* error = nullptr;
    if (!gst_init_check(nullptr, nullptr, &error)) {
      failure = error != nullptr ? error->message : "gst_init_check failed";
      if (error != nullptr) g_error_free(error);
    }
  });
  if (!failure.empty()) throw std::runtime_error("GStreamer initialisation failed: " + failure);
}

}  // namespace vw::streams
