// The JSON the control API answers with (docs/api.md): the wall state, status, cameras and
// layouts. Pure functions of their arguments, shared by replies and the PUB stream.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/core/config.hpp"
#include "controller/core/records.hpp"
#include "controller/core/wall_state.hpp"
#include "controller/quality/quality_history.hpp"
#include "controller/quality/quality_snapshots.hpp"
#include "layouts/layout.hpp"
#include "renderer/renderer.hpp"
#include "renderer/wall_view.hpp"
#include "streams/stream_channel.hpp"
#include "streams/stream_manager.hpp"

namespace vw::controller::api {

// {"version","layout","maximized","tiles":[{"tile","camera","name"}],"alarms","tours","presets"}:
// what state.get returns and every "wall" update carries.
nlohmann::json wall_state_json(const WallState& state, const Config& config,
                               const layouts::LayoutLibrary& layouts);

// One stream's state and statistics ("key","camera","url" (redacted),"state","fps_in",...).
nlohmann::json stream_json(const streams::StreamChannel& channel);
// The stream's picture-quality diagnosis ({"faults":[...], "luma", "sharpness", ...}), or null
// while it is not diagnosed.
nlohmann::json quality_json(const streams::StreamChannel& channel);

// quality.report's reply: the period, and per stream its time in each fault; the streams
// diagnosed now that had none in the period are listed with an empty "faults". With `pictures`,
// each fault also has "snapshot": the base64 JPEG of its longest period's beginning (null when
// there is none), for at most kMaxReportSnapshots faults ("snapshots_left_out" counts the rest).
inline constexpr int kMaxReportSnapshots = 100;
nlohmann::json quality_report_json(
    const quality::QualityReport& report,
    const std::vector<std::shared_ptr<streams::StreamChannel>>& channels,
    const quality::QualitySnapshots* pictures = nullptr);
// The short form periodic "streams" updates carry ("key","state","fps_in","width","height",
// "reconnects").
nlohmann::json stream_brief_json(const streams::StreamChannel& channel);

// {"ok", "audit": {"ok", "error"?}, "state_file": {"ok", "error"?}}: status "records" and the
// PUB stream's "records" messages.
nlohmann::json records_json(const RecordsHealth& health);

// The "status" reply's fields: "wall", "tiles", "streams", "render", "records".
nlohmann::json status_json(const WallState& state, const renderer::WallView* view,
                           const std::vector<std::shared_ptr<streams::StreamChannel>>& channels,
                           const renderer::RenderStats& render, const RecordsHealth& records,
                           const Config& config, const layouts::LayoutLibrary& layouts);

// "cameras.list": every configured camera with the state of its main stream ("idle" if none)
// and its picture-quality verdict ("quality": the diagnosed stream's, with "stream" and
// "sampled_at"; a camera off the wall keeps the verdict of its last visit), null when none.
nlohmann::json cameras_json(const Config& config, const streams::StreamManager& streams);

// "layouts.list": the current layout and every loaded one with its tile count.
nlohmann::json layouts_json(const WallState& state, const layouts::LayoutLibrary& layouts);

// Fields of `next` that only take effect after a restart and differ from `current`
// (e.g. "wall.width", "api.endpoint", "cases.endpoints").
std::vector<std::string> restart_required(const Config& current, const Config& next);

// "2026-11-30T09:12:33.123+08:00" (China Standard Time), for update timestamps.
std::string now_iso8601();

}  // namespace vw::controller::api
