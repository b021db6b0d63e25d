// RAII owners for GStreamer and GLib handles: each unique_ptr releases exactly one reference.
// Threads: whatever thread owns the handle; these wrappers add no synchronisation.
#pragma once

#include <gst/gst.h>

#include <memory>

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

}  // namespace vw::streams::gst
