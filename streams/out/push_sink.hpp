// A network sink of a live output (issue "The wall goes out"): the output's encoded access units,
// attached like any sink (LiveOutput::attach), sent out over
//  - SRT, as MPEG-TS (appsrc ! h264parse ! mpegtsmux ! srtsink): as a listener that callers
//    connect to (one-to-many), or as a caller to a listener elsewhere; AES encrypted with a
//    passphrase when one is set (a caller with another passphrase, or none, is rejected in the
//    handshake);
//  - RTMP push, as FLV (appsrc ! h264parse ! flvmux ! rtmp2sink) to a conference gateway, an MCU or
//    a streaming server (rtmp:// or rtmps://).
// A sink that fails (the listener it calls is not there, the RTMP server vanished or refused the
// stream) posts its error, kept in stats(); the owner restarts it (controller/app/live_outputs),
// the output and its other sinks run on.
// Threads: start(), stop() from the owner's thread; stats() from any; the rest runs on
// GStreamer's streaming threads.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <memory>
#include <string>

namespace vw::streams {

struct PushOptions {
  enum class Kind { srt, rtmp };
  std::string output_id;  // for the logs
  Kind kind = Kind::srt;
  // SRT: srt://HOST:PORT?mode=listener|caller (HOST numeric, [v6] in brackets);
  // RTMP: rtmp://HOST[:PORT]/APP/STREAM or rtmps://...
  std::string uri;
  std::string passphrase;  // SRT: "" (unencrypted) or 10-79 characters
  int key_bytes = 16;      // SRT: AES-128 (16), -192 (24) or -256 (32)
  int latency_ms = 120;    // SRT: the receive buffer a caller and listener agree on
};

struct PushStats {
  std::string error;  // the pipeline's error, if it failed
  int clients = -1;   // SRT listener: callers connected now; -1: not known (caller, RTMP)
  std::uint64_t bytes_sent = 0;  // since the sink started (an SRT listener: to every caller)
  // SRT, over the connections now (a listener: its callers summed; rtt the worst): packets the
  // receivers reported lost, packets sent again, the smoothed round trip; -1: no connection.
  std::int64_t packets_lost = 0;
  std::int64_t packets_retransmitted = 0;
  double rtt_ms = -1;
};

// "srt" or "rtmp".
const char* push_kind_name(PushOptions::Kind kind);

class PushSink {
 public:
  explicit PushSink(PushOptions options);
  ~PushSink();  // stop()
  PushSink(const PushSink&) = delete;
  PushSink& operator=(const PushSink&) = delete;

  const PushOptions& options() const;

  // Builds and plays the pipeline (an SRT listener listens from here on). "" or what failed.
  std::string start();
  void stop();  // idempotent

  // The appsrc to attach to the output, and the key to detach it with (valid while started).
  GstElement* appsrc() const;
  const void* key() const { return this; }

  PushStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vw::streams
