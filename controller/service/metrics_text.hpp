// The daemon's figures in the Prometheus text exposition format (version 0.0.4), for
// GET /metrics: streams, render loop, API, audit trail, case feed and health. Names follow the
// Prometheus conventions (videowall_ prefix, base units in the name, _total for counters).
// Pure: the caller gathers a MetricsInput from the same sources `status` reads.
// Threads: any.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/api/api_server.hpp"
#include "controller/cases/case_feed.hpp"
#include "controller/core/records.hpp"
#include "controller/quality/quality_checks.hpp"
#include "controller/service/health_monitor.hpp"
#include "renderer/renderer.hpp"
#include "renderer/wall_view.hpp"
#include "streams/stream_channel.hpp"

namespace vw::controller::service {

struct MetricsInput {
  std::vector<std::shared_ptr<streams::StreamChannel>> channels;
  renderer::WallViewPtr view;  // what the wall shows (tiles and their streams); may be null
  renderer::RenderStats render;
  std::uint64_t render_turns = 0;
  RecordsHealth records;
  std::uint64_t audit_command_lines = 0;  // the last sequence number of each audit log
  std::uint64_t audit_refusal_lines = 0;
  std::optional<api::ApiCounters> api;  // none: the API is off
  std::optional<CaseFeedStats> cases;   // none: no case feed
  HealthReport health;
};

std::string prometheus_text(const MetricsInput& input);

// Tiles of `view` with a camera, and how many of them show a playing stream.
struct TileCounts {
  int assigned = 0;
  int playing = 0;
};
TileCounts tile_counts(const renderer::WallView& view);

}  // namespace vw::controller::service
