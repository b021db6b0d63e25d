// Declarations shared by the operator panel's source files (not part of the public API).
// Panel::State is everything the render thread keeps between frames; its draw_* members are
// spread over panel.cpp (frame skeleton, banner, status line, shortcuts), panel_layouts.cpp
// (wall miniature, tile controls, layouts, presets), panel_cameras.cpp (camera list),
// panel_status.cpp (stream table, cases) and panel_outputs.cpp (the live outputs). Threads: render
// thread only, except MessageLink.
#pragma once

#include <imgui.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/panel/camera_search.hpp"
#include "controller/panel/panel.hpp"
#include "controller/panel/stream_table.hpp"

namespace vw::controller::panel {

// ---- Text (panel_text.cpp) ----------------------------------------------------------------

enum class Text : int {
  WindowTitle,
  AlarmAck,
  AlarmCount,
  SelectedTile,
  NoTileSelected,
  Maximize,
  Restore,
  Clear,
  DwellFormat,
  TourStart,
  TourStop,
  TourBadge,
  TourHint,
  DragHint,
  Layouts,
  Presets,
  NoPresets,
  PresetNameHint,
  PresetSave,
  PresetDelete,
  PresetTooltip,
  TabCameras,
  TabStreams,
  TabCases,
  TabOutputs,
  NoOutputs,
  ColOutput,
  ColClients,
  ColFrames,
  ColAddress,
  OutputStart,
  OutputStop,
  OutputRunning,
  OutputStopped,
  OutputFailed,
  MasksInForce,
  MasksLifted,
  MasksLift,
  MasksRestore,
  SearchHint,
  CameraCount,
  ColCamera,
  ColStreet,
  ColState,
  ColVideo,
  ColFps,
  ColBitrate,
  ColResolution,
  ColCodec,
  ColDecoder,
  ColDrops,
  ColReconnects,
  ColQuality,
  QualityOk,
  QualityLastVisit,
  SetReference,
  ResetReference,
  ReferenceHint,
  ColLastError,
  Hardware,
  Software,
  MainStream,
  SubStream,
  StatePlaying,
  StateConnecting,
  StateStalled,
  StateReconnecting,
  StateAuthFailed,
  StateNotFound,
  StateUnsupported,
  StateIdle,
  WaitingData,
  DataInterrupted,
  ReportedToday,
  OpenCases,
  Overdue,
  Closed,
  ClosureRate,
  ByStreet,
  ByCategory,
  ColCategory,
  ColReported,
  HourlyReported,
  Ready,
  LanguageSwitch,
  LanguageChanged,
  MsgLayout,
  MsgAssign,
  MsgClear,
  MsgSwap,
  MsgMaximize,
  MsgRestore,
  MsgAck,
  MsgTourStart,
  MsgTourStop,
  MsgPresetSave,
  MsgPresetRecall,
  MsgPresetDelete,
  MsgOutputStart,
  MsgOutputStop,
  MsgMasksLifted,
  MsgMasksRestored,
  MsgReference,
  MsgRefused,
  MsgNeedsRole,
  RoleOperator,
  RoleAdmin,
  // Why the controller refused, by CommandResult::code (its message is English, for logs).
  WhyUnknownLayout,
  WhyUnknownCamera,
  WhyTileOutOfRange,
  WhyBadTour,
  WhyNoTour,
  WhyTooManyPresets,
  WhyUnknownPreset,
  WhyUnknownAlarm,
  WhyUnknownOutput,
  WhyAuditUnavailable,
  WhyStateUnavailable,
  WhyBusy,
  WhyOther,
  // The records fail (fail closed): shown in red above the status line.
  AuditFailing,
  StateFailing,
  Count,
};

// The string in the language; printf formats where the text has numbers or names.
const char* text(Text id, renderer::Language language);
// Every entry in both languages (for the font atlas).
std::vector<std::string> all_texts();
// A stream state as the wall's tiles word it (renderer/tile_compositor.cpp), plus 播放中.
const char* state_text(streams::StreamState state, renderer::Language language);
// The operator's line for a refused command: in Chinese the reason by its code; in English the
// controller's own message, which names what was wrong.
std::string refusal_text(const CommandResult& result, renderer::Language language);
// "操作员" / "管理员" (the role a refused panel action needs).
Text role_text(Role role);
// snprintf into a std::string (messages: built once per action, not per frame).
std::string format_text(const char* format, ...) __attribute__((format(printf, 1, 2)));

// ---- Shared helpers -----------------------------------------------------------------------

// Colour of the state dot: green playing, yellow on its way, red needs an eye, grey idle.
ImU32 state_colour(streams::StreamState state);

// What the camera list shows of a camera's streams: the best of its running channels.
struct CameraLive {
  streams::StreamState state = streams::StreamState::Idle;
  double fps = 0;
  int width = 0;
  int height = 0;
};

// Lets the controller's `done` callbacks reach the panel, or find it gone: the panel clears
// `panel` under `mutex` in its destructor, so a late reply never touches a dead panel.
struct MessageLink {
  std::mutex mutex;
  Panel* panel = nullptr;
};

// Named widget rectangles of one frame. Entries past `used` keep their strings' capacity.
struct Panel::RectTable {
  struct Entry {
    std::string id;
    PanelRect rect;
  };
  std::vector<Entry> entries;
  std::size_t used = 0;

  void clear() { used = 0; }
  void add(std::string_view prefix, std::string_view name, const PanelRect& rect);
  void finish();  // sorts by id for find()
  const PanelRect* find(std::string_view id) const;
};

struct Panel::State {
  State(Panel& owner, PanelServices services);

  Panel& owner;
  PanelServices services;
  std::shared_ptr<MessageLink> link;
  renderer::Language language;
  std::unique_ptr<RectTable> back = std::make_unique<RectTable>();

  // Read once per frame.
  WallStatePtr wall;  // the controller's snapshot; never null after the first frame
  std::shared_ptr<const Config> config;
  const layouts::Layout* layout = nullptr;

  // Miniature and tile controls.
  int selected = 0;  // 1-based, 0 = none
  int dwell_s = 10;
  char preset_name[96] = {};

  // Camera list: the index follows the config pointer, the filter the query.
  std::optional<CameraIndex> index;
  const Config* index_config = nullptr;
  char query[128] = {};
  bool filter_dirty = true;
  std::vector<std::size_t> filtered;  // indices into config->cameras
  std::size_t highlighted = static_cast<std::size_t>(-1);

  // Stream statistics, refreshed at most every kRefresh (they change slowly, channels() locks).
  static constexpr std::chrono::milliseconds kRefresh{250};
  std::chrono::steady_clock::time_point rows_at{};
  std::vector<StreamRow> rows;    // config order
  std::vector<CameraLive> live;   // per camera, config order
  std::vector<StreamRow> sorted;  // the table's order
  std::uint64_t rows_generation = 0;
  std::uint64_t sorted_generation = 0;
  std::optional<StreamColumn> sort_column;
  bool sort_ascending = true;

  // The live outputs' status (PanelServices::outputs), refreshed at most every kRefresh.
  std::chrono::steady_clock::time_point outputs_at{};
  nlohmann::json outputs;

  // Status line.
  std::string message;
  std::uint64_t message_version = 0;

  const char* t(Text id) const { return text(id, language); }

  // panel.cpp
  void begin_frame();  // reads the wall state and refreshes what changed
  void draw_banner();
  bool begin_tab(Text label, const char* key);  // records "tab:<key>"
  void draw_status_line();
  void draw_records_warning();  // 审计异常 while the audit trail or the state file fails
  void handle_shortcuts();
  void record(std::string_view prefix, std::string_view name = {});
  void record(std::string_view prefix, int number);
  // Submits with the panel's origin; the reply becomes the status line (`ok_text` on success).
  void submit(Command command, std::string ok_text);
  WallController::Done reply_to_status(std::string ok_text) const;
  const std::string& camera_name(const std::string& id) const;

  // panel_layouts.cpp
  void draw_miniature(const renderer::UiFrame& frame);
  void draw_tile(int tile, const layouts::Rect& rect, ImVec2 origin, ImVec2 size);
  void draw_tile_controls();
  void draw_layouts();
  void draw_presets();
  void recall_preset(const std::string& name);
  void start_tour();

  // panel_cameras.cpp
  void refresh_cameras();
  void draw_cameras_tab();

  // panel_status.cpp
  void refresh_streams();
  void draw_streams_tab();
  void draw_cases_tab(const renderer::CaseView* cases);

  // panel_outputs.cpp
  void draw_outputs_tab();
  void draw_quality_cell(const StreamRow& row);      // the 画质 column's verdict
  void draw_reference_button(const StreamRow& row);  // 设为基准 of the scene check
  void draw_masks_line();  // masks on or lifted, and the button that changes it
};

}  // namespace vw::controller::panel
