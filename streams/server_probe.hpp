// Asks a camera's RTSP server whether it answers, for far less than a pipeline costs: a TCP
// connect, then one OPTIONS request, and the status line of the reply. No DESCRIBE: many servers
// (gst-rtsp-server among them) prepare the media for it, which is the expensive part of a
// connection. The stream supervisor probes a failed stream between its rebuilds, so that a camera
// that comes back is rebuilt at once instead of after its backoff, and a dead one is not rebuilt
// at all (stream_manager.cpp).
//
// "Answered" means a reply that starts with an RTSP status line, any status but 503 (a 401 is an
// answer: the server is back, and the rebuild will report the credentials). Refused, unreachable,
// timed out, closed, not RTSP, or 503: not answered, with the reason in `detail`.
//
// Threads: start(), cancel() and take() from any thread; they never block on the network. One
// probe thread does all the I/O with non-blocking sockets under poll(), so probes run side by side
// and none waits on another; only the name lookup of a host name (not a numeric address) blocks
// that thread, for as long as the resolver takes. The destructor stops and joins it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "streams/rtsp_url.hpp"
#include "streams/wakeup.hpp"

namespace vw::streams {

struct ProbeOutcome {
  bool answered = false;
  std::string detail;  // "RTSP/1.0 200 OK", "connection refused", "no reply within 1000 ms", ...
  std::chrono::milliseconds took{0};
};

class ServerProbe {
 public:
  // `done` is notified when a probe finishes. `timeout` bounds each probe, connect included.
  explicit ServerProbe(std::shared_ptr<Wakeup> done,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  ~ServerProbe();
  ServerProbe(const ServerProbe&) = delete;
  ServerProbe& operator=(const ServerProbe&) = delete;

  // Probes `address` for `key`, replacing (cancelling) a probe of that key still in flight and an
  // outcome not taken yet. At most one probe per key exists, so the work is bounded by the keys.
  void start(const std::string& key, const RtspAddress& address);
  // Forgets the key's probe in flight and its outcome.
  void cancel(const std::string& key);
  // The outcome of the key's probe once it has finished (returned once), else none.
  std::optional<ProbeOutcome> take(const std::string& key);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vw::streams
