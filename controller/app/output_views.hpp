// What each running live output shows, in the audit trail: who could see which cameras, and under
// which privacy masks (MLPS 2.0 level 3 asks what left the command center). An "output.view" line
// is appended when an output starts or stops, and when the cameras visible in its source or their
// mask policy change (a layout switch, an assignment, a tour step, a config reload).
//
// Threads: observe() from any thread (one mutex); the daemon calls it at start and then from the
// controller thread's on_change. The pure functions from any thread.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/core/config.hpp"
#include "controller/core/records.hpp"
#include "controller/core/wall_state.hpp"
#include "layouts/layout.hpp"

namespace vw::controller {

// The part of the wall output `output` shows now, in wall pixels {x, y, w, h}: the whole wall,
// its region, or its tile's place in the current layout (the whole wall while that tile is
// maximized; its place in the layout, showing what the wall shows there, while another is);
// nullopt for a tile the current layout does not have.
std::optional<std::array<double, 4>> output_source(const WallState& state,
                                                   const layouts::LayoutLibrary& layouts,
                                                   int wall_width, int wall_height,
                                                   const OutputConfig& output);

// The cameras whose tiles overlap the output's source (output_source), in tile order, each once.
std::vector<std::string> cameras_in_output(const WallState& state,
                                           const layouts::LayoutLibrary& layouts,
                                           const Config& config, const OutputConfig& output);

// Where the output's picture goes, for the audit: "rtsp /<id>", "record", "srt listener
// HOST:PORT aes-128" (or "caller", "unencrypted"), "rtmp URL" (shown_url), "whep /<id>/" (the
// page on the WHEP endpoint), in that order.
std::vector<std::string> output_sinks(const OutputConfig& output);

// An SRT sink's HOST:PORT as a URL writes it (an IPv6 host in brackets).
std::string srt_host_port(const OutputSrtConfig& srt);

// An RTMP URL as status and the audit show it: without a query (a stream key) or credentials.
std::string shown_url(const std::string& url);

// SM3 (hex) of the masks of `cameras` (ids and every polygon's points, in order): equal for the
// same masks on the same cameras, different when any mask, point or camera differs.
std::string mask_policy_sm3(const Config& config, const std::vector<std::string>& cameras);

class OutputViewAudit {
 public:
  OutputViewAudit(const layouts::LayoutLibrary& layouts, AuditSink& audit);

  // Audits each output of `config` whose view differs from the last one audited. A failed append
  // is logged (the output keeps running: it is already on the air).
  void observe(const WallState& state, const Config& config, const Origin& origin);
  // At shutdown, once the outputs are stopped: every output audited as running is no longer.
  void all_stopped(std::uint64_t state_version);

 private:
  struct View {
    std::string name;  // the output's, for its last line
    std::vector<std::string> cameras;
    std::string mask_policy;
    bool same_picture(const View& o) const {
      return cameras == o.cameras && mask_policy == o.mask_policy;
    }
  };
  void append(std::vector<AuditEntry>& entries);
  const layouts::LayoutLibrary& layouts_;
  AuditSink& audit_;
  std::mutex mutex_;
  std::map<std::string, View> running_;  // output id -> the view last audited
};

}  // namespace vw::controller
