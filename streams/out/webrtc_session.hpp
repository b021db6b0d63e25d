// One WebRTC viewer of a live output (issue "The wall goes out", WHEP): the output's encoded
// access units, attached like any sink (LiveOutput::attach), sent to one browser over
// appsrc ! h264parse ! rtph264pay ! webrtcbin (DTLS-SRTP, ICE by libnice). The browser's offer
// (WHEP: an HTTP POST of SDP, controller/service/whep_server) is answered once ICE has gathered
// every local candidate (no trickle), so one request and one reply set the session up.
// The H.264 payload type is the browser's: the offer's H.264 with packetization-mode 1, the
// profile the output encodes (main) preferred, then constrained baseline, baseline.
// Threads: negotiate(), stop() from one thread at a time (the HTTP worker, then the owner);
// state() and appsrc() from any; the rest runs on GStreamer's and webrtcbin's threads.
#pragma once

#include <gst/gst.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace vw::streams {

struct WebRtcOptions {
  std::string output_id;  // for the logs
  // The local addresses ICE offers (numeric); empty: libnice's choice, every address of this
  // machine off loopback.
  std::vector<std::string> ice_addresses;
  std::chrono::milliseconds timeout{5000};  // negotiation and candidate gathering
};

// The H.264 payload of an SDP offer's first video m-line that a session answers with.
struct H264Payload {
  int payload_type = -1;
  std::string profile_level_id;  // as offered, e.g. "4d001f"
};

// The payload negotiate() picks from `offer` (SDP text), or payload_type -1 and `why`.
H264Payload choose_h264_payload(const std::string& offer, std::string& why);

class WebRtcSession {
 public:
  explicit WebRtcSession(WebRtcOptions options);
  ~WebRtcSession();  // stop()
  WebRtcSession(const WebRtcSession&) = delete;
  WebRtcSession& operator=(const WebRtcSession&) = delete;

  // Builds and plays the pipeline for the browser's `offer` and puts the SDP answer, with every
  // local candidate, in `answer`. "" or what was wrong (an offer that is not SDP, one without
  // H.264, ICE that did not gather in time).
  std::string negotiate(const std::string& offer, std::string& answer);
  void stop();  // idempotent

  // The appsrc to attach to the output, and the key to detach it with (valid after negotiate).
  GstElement* appsrc() const;
  const void* key() const { return this; }

  // The peer connection: "new", "checking" (ICE), "connected", "disconnected", "failed",
  // "closed"; "failed" too when the pipeline posted an error.
  std::string state() const;
  // To be removed: failed or closed; nothing heard from the viewer for 10 s (its RTCP receiver
  // reports come about once a second; ICE alone does not notice a browser that quit);
  // disconnected for 10 s; or never connected within 3x the options' timeout of negotiate() (or
  // connected but never heard for 30 s).
  bool ended() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vw::streams
