// Small RAII owners for the GLib/GStreamer handles used by the simulated camera server and the
// demo clip cache (private to those files; not a general-purpose wrapper). Each owner frees its
// handle with the matching unref on destruction; none of them is thread-affine by itself.
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

namespace vw::streams::sim {

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
struct GstObjectUnref {
  void operator()(gpointer p) const { gst_object_unref(p); }
};
struct CapsUnref {
  void operator()(GstCaps* p) const { gst_caps_unref(p); }
};
struct SampleUnref {
  void operator()(GstSample* p) const { gst_sample_unref(p); }
};
struct MessageUnref {
  void operator()(GstMessage* p) const { gst_message_unref(p); }
};
struct ErrorFree {
  void operator()(GError* p) const { g_error_free(p); }
};
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
struct ContextUnref {
  void operator()(GMainContext* p) const { g_main_context_unref(p); }
};
struct LoopUnref {
  void operator()(GMainLoop* p) const { g_main_loop_unref(p); }
};
struct SourceUnref {
  void operator()(GSource* p) const {
    g_source_destroy(p);
    g_source_unref(p);
  }
};

template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
template <typename T>
using GstPtr = std::unique_ptr<T, GstObjectUnref>;
using CapsPtr = std::unique_ptr<GstCaps, CapsUnref>;
using SamplePtr = std::unique_ptr<GstSample, SampleUnref>;
using MessagePtr = std::unique_ptr<GstMessage, MessageUnref>;
using ErrorPtr = std::unique_ptr<GError, ErrorFree>;
using CharPtr = std::unique_ptr<gchar, GFree>;
using ContextPtr = std::unique_ptr<GMainContext, ContextUnref>;
using LoopPtr = std::unique_ptr<GMainLoop, LoopUnref>;
using SourcePtr = std::unique_ptr<GSource, SourceUnref>;

// "message (debug info)" of an error message on a bus.
inline std::string describe_error(GstMessage* msg) {
  GError* raw = nullptr;
  gchar* dbg = nullptr;
  gst_message_parse_error(msg, &raw, &dbg);
  ErrorPtr err(raw);
  CharPtr debug(dbg);
  std::string text = err ? err->message : "unknown error";
  if (debug) text += std::string(" (") + debug.get() + ")";
  return text;
}

// Makes sure gst_init ran. Always goes through gst_init_check (it takes GStreamer's init lock):
// gst_is_initialized() turns true before the plugin registry is loaded, so a
// "if (!gst_is_initialized()) gst_init()" shortcut lets a second thread create elements against
// an empty registry (seen here: factory_make returned NULL for videotestsrc, x264enc...).
inline bool ensure_gst_init(std::string* error) {
  GError* raw = nullptr;
  if (!gst_init_check(nullptr, nullptr, &raw)) {
    ErrorPtr err(raw);
    if (error) *error = std::string("gst_init failed: ") + (err ? err->message : "?");
    return false;
  }
  return true;
}

}  // namespace vw::streams::sim
