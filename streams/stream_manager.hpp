// Owns one GStreamer pipeline per wanted stream and the threads that supervise them.
// rtspsrc -> decodebin (hardware decoders preferred when present) -> appsink (max-buffers=1,
// drop, no sync) -> StreamChannel mailbox. A supervisor thread reads the pipelines' buses,
// detects stalls, rebuilds failed pipelines with backoff (0.5 s doubling to 10 s, with jitter,
// back to 0.5 s after 10 s of playing) and hands pipelines to a teardown thread so that going to
// NULL never blocks any caller. Between rebuilds it probes the server (TCP connect + OPTIONS,
// every 250 ms, server_probe.hpp): a server that was down and answers again is rebuilt at once,
// whatever the backoff, and a server that does not answer is not rebuilt against (except every
// backoff_max, in case the probe is wrong).
//
// Threads: every public method may be called from any thread and never blocks on the network,
// a decoder or a teardown (they post to the supervisor and return). The destructor stops and
// joins the threads, waiting for teardowns at most `teardown_bound`.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "streams/stream_channel.hpp"
#include "streams/wakeup.hpp"

namespace vw::streams {

enum class Transport { Auto, Tcp, Udp };

struct StreamSpec {
  std::string key;  // unique: "<camera id>/main" or "<camera id>/sub"
  std::string url;  // may contain credentials; never logged as is (see redact_url)
  Transport transport = Transport::Tcp;
  int latency_ms = 200;
  std::chrono::milliseconds stall_timeout{3000};
  // The largest picture decoded; a camera sending more is "unsupported" (no 8K frames allocated
  // because a camera, or someone pretending to be one, says so).
  int max_width = 4096;
  int max_height = 2160;

  bool operator==(const StreamSpec&) const = default;
};

struct StreamManagerOptions {
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{10000};
  // Streams no longer wanted keep running this long, so that switching back is instant and a
  // tile changing main <-> sub keeps its old picture until the new stream has a frame.
  std::chrono::milliseconds linger{5000};
  std::chrono::milliseconds teardown_bound{2000};
  // Probe failed streams' servers between rebuilds (see above). Off: backoff alone decides when
  // to rebuild (what videowall-bench-faults compares against).
  bool probe_servers = true;
};

// The threads each software decoder gets (avdec's max-threads) while `streams` decode on `cores`:
// the cores shared out, at least one. Once streams outnumber cores, the cores are busy with other
// streams and a decoder's own threads only add hand-offs between them (videowall-bench measured
// the decode-only floor 10-15 % lower with one thread per decoder at 4 to 16 streams on 2 cores).
// 0 cores (unknown): 0, the decoder's own choice.
int software_decoder_threads(std::size_t streams, unsigned cores);

// "rtsp://user:pass@host/x" -> "rtsp://user:***@host/x"; URLs without a password unchanged.
std::string redact_url(const std::string& url);

// Who wants streams run: the wall (its tiles' streams) and the picture-quality diagnosis (its
// short visits to cameras that are not on the wall). Each declares its own full set; what runs is
// the union, and a key both list runs with the wall's spec.
enum class Wanter { Wall, Diagnosis };

class StreamManager {
 public:
  explicit StreamManager(Wakeup* wakeup, StreamManagerOptions options = {});
  ~StreamManager();
  StreamManager(const StreamManager&) = delete;
  StreamManager& operator=(const StreamManager&) = delete;

  // Declares the full set of streams that should run. Streams already running with an equal
  // spec keep their pipeline untouched (no reconnect, same generation). New keys start; a key
  // whose spec changed (URL, transport...) restarts, which also clears AuthFailed/NotFound.
  // Keys not listed (by any wanter) linger, then stop. Returns the channel of every listed spec,
  // in order.
  std::vector<std::shared_ptr<StreamChannel>> set_wanted(const std::vector<StreamSpec>& specs,
                                                         Wanter by = Wanter::Wall);

  // The channel of a key, or null if the manager never saw it.
  std::shared_ptr<StreamChannel> channel(const std::string& key) const;

  // All channels ever created that are still running or lingering.
  std::vector<std::shared_ptr<StreamChannel>> channels() const;

  // Pipelines handed to the teardown thread and not yet freed (a stuck one stays counted).
  std::size_t pending_teardowns() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vw::streams
