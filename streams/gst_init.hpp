// One-time GStreamer initialisation for the whole process.
// Threads: any; safe to call from several threads at once (std::call_once inside).
#pragma once

namespace vw::streams {

// Calls gst_init once per process (later calls return at once). Throws std::runtime_error if
// GStreamer cannot be initialised. Never calls gst_deinit: pipelines leaked by a stuck teardown
// may still be alive at exit.
void ensure_gstreamer();

}  // namespace vw::streams
