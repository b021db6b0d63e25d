// One camera stream's GStreamer pipeline (internal to streams/, driven by StreamManager):
//   rtspsrc -> decodebin -> videoconvert (passthrough for I420/NV12) -> appsink -> mailbox.
//
// Threads:
// - Constructor, start(), poll_bus(), deactivate(): the supervisor thread only.
// - info(): any thread (atomics and a small mutex).
// - Destructor: the teardown thread only. It sets the pipeline to NULL, which sends PAUSE and
//   TEARDOWN to the camera and can block on a dead peer; never destroy one anywhere else.
// - GStreamer streaming threads run the callbacks inside (new frame, pad-added, element-added,
//   byte-count probe). They share only the reference-counted `PipelineShared` state, never this
//   object, so a pipeline whose teardown is stuck (and gets leaked) can never touch freed memory.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "streams/gst_ptr.hpp"
#include "streams/stream_channel.hpp"
#include "streams/stream_manager.hpp"
#include "streams/wakeup.hpp"

namespace vw::streams {

struct PipelineShared;  // state shared with GStreamer's threads (stream_pipeline.cpp)

// Counters of one stream that survive pipeline rebuilds. Written by streaming threads.
struct StreamCounters {
  std::atomic<std::uint64_t> sequence{0};  // sequence of the last published frame (= frames in)
  std::atomic<std::uint64_t> bytes{0};     // compressed bytes into the decoder
};

// Something on the bus that ends this pipeline's life.
struct PipelineEvent {
  enum class Kind { Error, Eos, NotAuthorized, NotFound, Unsupported };
  Kind kind = Kind::Error;
  std::string message;  // short, credentials redacted (for StreamStats::last_error)
};

// What the supervisor reads for state and statistics.
struct PipelineInfo {
  std::uint64_t frames = 0;  // frames this pipeline published
  std::chrono::steady_clock::time_point last_frame{};
  int width = 0;
  int height = 0;
  std::string codec;    // "H.264", "H.265", or the RTP encoding name; empty until known
  std::string decoder;  // decoder factory name; empty until plugged
  std::string step;     // rtspsrc's last progress text ("Retrieving media info", ...)
  bool hardware = false;
  int decoder_threads = 0;  // max-threads set on a software decoder; 0: its own choice
};

class StreamPipeline {
 public:
  // Builds the pipeline (state NULL; no network yet). Throws std::runtime_error if an element is
  // missing. `supervisor` is notified on the first frame. `decoder_threads`: a software
  // decoder's threads (avdec's max-threads); 0 leaves the decoder's own choice (one per core).
  StreamPipeline(const StreamSpec& spec, std::shared_ptr<StreamChannel> channel,
                 std::shared_ptr<StreamCounters> counters, std::shared_ptr<Wakeup> supervisor,
                 int decoder_threads = 0);
  ~StreamPipeline();  // teardown thread only (see above)
  StreamPipeline(const StreamPipeline&) = delete;
  StreamPipeline& operator=(const StreamPipeline&) = delete;

  // Sets PLAYING. rtspsrc connects in its own task, so this does not wait on the network.
  // Returns an error message (redacted) if the state change failed at once.
  std::optional<std::string> start();

  // Pops pending bus messages without blocking; returns the first one that ends the pipeline.
  std::optional<PipelineEvent> poll_bus();

  // After this returns, no frame from this pipeline reaches the mailbox any more.
  void deactivate();

  PipelineInfo info() const;

  // Cuts (shutdown) the camera connection that rtspsrc's thread is blocked reading, for a
  // teardown that does not finish (blocked_socket.hpp). The function holds only the shared state,
  // so it may be called from any thread, before, during or after this object's destruction.
  // It returns whether a connection was cut.
  std::function<bool()> connection_cutter() const;
  const std::string& key() const { return key_; }

 private:
  std::string key_;
  std::string url_;  // with credentials: used only to redact them from messages
  std::shared_ptr<PipelineShared> shared_;
  gst::ElementPtr pipeline_;
  gst::BusPtr bus_;
  GstElement* source_ = nullptr;  // borrowed from pipeline_
  std::uint64_t warnings_ = 0;    // bus warnings seen (supervisor thread)
  std::string step_;              // last progress text (supervisor thread)
  bool opened_ = false;           // rtspsrc finished opening (its "open" progress completed)
};

}  // namespace vw::streams
