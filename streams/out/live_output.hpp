// One live output of the wall (issue "The wall goes out"): RGBA pictures of the wall, read back
// by the renderer (renderer/output_taps.hpp), are encoded once to H.264 and fanned out to every
// sink attached to it (the RTSP mount's pipelines, later recordings and pushes).
//
// Data flow: push() puts the newest picture in a one-slot mailbox (newest wins; the render
// thread never waits). The feeder thread takes it at the output's frame rate, repeating the last
// picture while the wall is still, and pushes it into the encoder pipeline
// (appsrc ! videoconvertscale ! encoder ! h264parse ! appsink; the encoder from
// h264_encoders.hpp: hardware where there is one, else x264enc), with timestamps on the output's
// own steady clock. A slow encoder drops pictures of this output only (counted). Each encoded
// access unit is handed to every attached sink's appsrc; a sink starts at a key frame, and a sink
// that stops draining (its queue full) drops until the next key frame (counted), never holding the
// encoder or the other sinks.
//
// Threads: push(), stats(), attach(), detach() from any thread; start() and stop() from the
// owner's thread (not concurrently). The feeder and GStreamer's streaming threads are internal.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "streams/video_frame.hpp"

namespace vw::streams {

struct OutputEncoding {
  int width = 1280;  // even
  int height = 720;  // even
  int fps = 25;
  int bitrate_kbps = 2000;
  int keyframe_s = 1;  // a key frame every this many seconds (a joining client starts fast)
  std::string encoder = "auto";  // h264_encoders.hpp: auto, x264, openh264, nvenc, va, ...
  std::string profile;           // H.264 profile the encoder must make ("main"); "": its own choice
};

struct LiveOutputStats {
  std::string state = "stopped";  // "stopped", "running", "failed"
  std::string error;              // why it failed, when it did
  std::string encoder;            // the encoder element that runs ("x264enc")
  std::uint64_t pictures_in = 0;  // read back from the wall and pushed
  std::uint64_t frames_fed = 0;   // pictures given to the encoder (repeats included)
  std::uint64_t frames_encoded = 0;
  std::uint64_t encoder_drops = 0;  // pictures the encoder was too slow to take
  std::uint64_t sink_drops = 0;     // access units a sink did not take (its queue full)
  std::uint64_t bytes_encoded = 0;
  int sinks = 0;  // sink pipelines attached now
};

class LiveOutput {
 public:
  LiveOutput(std::string id, OutputEncoding encoding);
  ~LiveOutput();  // stop()
  LiveOutput(const LiveOutput&) = delete;
  LiveOutput& operator=(const LiveOutput&) = delete;

  const std::string& id() const { return id_; }
  const OutputEncoding& encoding() const { return encoding_; }

  // Builds and plays the encoder pipeline and starts the feeder. "" or what failed.
  std::string start();
  void stop();  // idempotent; detaches every sink

  // The newest picture of the output (RGBA, tightly packed, any even size: the encoder scales it
  // to the encoding's size); never blocks.
  void push(FramePtr picture);

  // A sink pipeline's appsrc (caps are set here: H.264 byte-stream, access units). `key`
  // identifies the attachment for detach().
  void attach(const void* key, GstElement* appsrc);
  void detach(const void* key);

  LiveOutputStats stats() const;

 private:
  struct Impl;
  std::string id_;
  OutputEncoding encoding_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vw::streams
