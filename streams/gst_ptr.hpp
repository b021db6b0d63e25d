// RAII owners for GStreamer and GLib handles: each unique_ptr releases exactly one reference.
// Threads: whatever thread owns the handle; these wrappers add no synchronisation.
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

namespace vw::streams::gst {

struct ObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) gst_object_unref(object);
  }
};
struct MiniObjectUnref {
  template <typename T>
  void operator()(T* object) const {
    if (object != nullptr) gst_mini_object_unref(GST_MINI_OBJECT_CAST(object));
  }
};
struct ErrorFree {
  void operator()(GError* error) const {
    if (error != nullptr) g_error_free(error);
  }
};
struct GFree {
  void operator()(gpointer memory) const { g_free(memory); }
};

template <typename T>
using ObjectPtr = std::unique_ptr<T, ObjectUnref>;  // GstElement, GstBus, GstPad, GstObject...
template <typename T>
using MiniObjectPtr = std::unique_ptr<T, MiniObjectUnref>;  // GstMessage, GstCaps, GstSample
using ElementPtr = ObjectPtr<GstElement>;
using BusPtr = ObjectPtr<GstBus>;
using PadPtr = ObjectPtr<GstPad>;
using MessagePtr = MiniObjectPtr<GstMessage>;
using CapsPtr = MiniObjectPtr<GstCaps>;
using SamplePtr = MiniObjectPtr<GstSample>;
using ErrorPtr = std::unique_ptr<GError, ErrorFree>;
using CharPtr = std::unique_ptr<gchar, GFree>;

// "element: message" of an error message on a bus (its debug details left out).
inline std::string error_text(GstMessage* message) {
  GError* raw = nullptr;
  gst_message_parse_error(message, &raw, nullptr);
  ErrorPtr error(raw);
  std::string text = error ? error->message : "unknown error";
  if (GST_MESSAGE_SRC(message) != nullptr)
    text = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message))) + ": " + text;
  return text;
}

}  // namespace vw::streams::gst
