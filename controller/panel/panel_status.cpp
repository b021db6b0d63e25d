// The stream status table (every configured stream, problems first unless the operator sorts)
// and today's case figures. Stream statistics are read at most every 250 ms: they move slowly
// and asking the StreamManager for its channels takes its lock.
#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <iterator>

#include "controller/panel/panel_internal.hpp"
#include "renderer/quality_labels.hpp"

namespace vw::controller::panel {
namespace {

// Lower is better: what the camera list shows when main and sub differ.
int live_rank(streams::StreamState state) {
  using streams::StreamState;
  switch (state) {
    case StreamState::Playing:
      return 0;
    case StreamState::Connecting:
    case StreamState::Reconnecting:
      return 1;
    case StreamState::Stalled:
    case StreamState::AuthFailed:
    case StreamState::NotFound:
    case StreamState::Unsupported:
      return 2;
    case StreamState::Idle:
      break;
  }
  return 3;
}

constexpr StreamColumn kColumns[] = {
    StreamColumn::Camera,     StreamColumn::State,   StreamColumn::Fps,       StreamColumn::Bitrate,
    StreamColumn::Resolution, StreamColumn::Codec,   StreamColumn::Decoder,   StreamColumn::Drops,
    StreamColumn::Reconnects, StreamColumn::Quality, StreamColumn::LastError,
};

Text column_title(StreamColumn column) {
  switch (column) {
    case StreamColumn::Camera:
      return Text::ColCamera;
    case StreamColumn::State:
      return Text::ColState;
    case StreamColumn::Fps:
      return Text::ColFps;
    case StreamColumn::Bitrate:
      return Text::ColBitrate;
    case StreamColumn::Resolution:
      return Text::ColResolution;
    case StreamColumn::Codec:
      return Text::ColCodec;
    case StreamColumn::Decoder:
      return Text::ColDecoder;
    case StreamColumn::Drops:
      return Text::ColDrops;
    case StreamColumn::Reconnects:
      return Text::ColReconnects;
    case StreamColumn::Quality:
      return Text::ColQuality;
    case StreamColumn::LastError:
      break;
  }
  return Text::ColLastError;
}

// One per-street or per-category table of case counts.
void case_table(const char* id, const char* first_column,
                const std::vector<renderer::CaseCount>& counts, ImVec2 size,
                renderer::Language language) {
  constexpr ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                    ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable(id, 5, flags, size)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(first_column, ImGuiTableColumnFlags_WidthStretch, 3);
  ImGui::TableSetupColumn(text(Text::ColReported, language), ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableSetupColumn(text(Text::OpenCases, language), ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableSetupColumn(text(Text::Overdue, language), ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableSetupColumn(text(Text::Closed, language), ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableHeadersRow();
  for (const auto& count : counts) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(count.name.c_str());
    ImGui::TableSetColumnIndex(1);
    ImGui::Text("%lld", static_cast<long long>(count.reported));
    ImGui::TableSetColumnIndex(2);
    ImGui::Text("%lld", static_cast<long long>(count.open));
    ImGui::TableSetColumnIndex(3);
    if (count.overdue > 0)
      ImGui::TextColored(ImVec4(1.0f, 0.4f, 0.35f, 1.0f), "%lld",
                         static_cast<long long>(count.overdue));
    else
      ImGui::TextUnformatted("0");
    ImGui::TableSetColumnIndex(4);
    ImGui::Text("%lld", static_cast<long long>(count.closed));
  }
  ImGui::EndTable();
}

}  // namespace

void Panel::State::refresh_streams() {
  const auto now = std::chrono::steady_clock::now();
  if (rows_generation != 0 && now - rows_at < kRefresh) return;
  rows_at = now;
  ++rows_generation;
  if (!config) {
    rows.clear();
    live.clear();
    return;
  }
  const auto& cameras = config->cameras;
  if (services.streams)
    rows = collect_stream_rows(
        cameras, services.streams->channels(),
        [m = services.streams](const std::string& key) { return m->channel(key); });
  else
    rows = collect_stream_rows(cameras, {});

  // Rows come in config order, main before sub: walk both lists together.
  live.assign(cameras.size(), CameraLive{});
  std::size_t camera = 0;
  for (const auto& row : rows) {
    while (camera < cameras.size() && cameras[camera].id != row.camera_id) ++camera;
    if (camera == cameras.size()) break;
    if (!row.running) continue;
    auto& best = live[camera];
    if (best.state != streams::StreamState::Idle && live_rank(best.state) <= live_rank(row.state))
      continue;
    best.state = row.state;
    best.fps = row.stats.fps_in;
    best.width = row.stats.width;
    best.height = row.stats.height;
  }
}

void Panel::State::draw_streams_tab() {
  constexpr ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_SortTristate |
                                    ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                    ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                    ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("##streams", static_cast<int>(std::size(kColumns)), flags,
                         ImVec2(0, ImGui::GetContentRegionAvail().y)))
    return;
  ImGui::TableSetupScrollFreeze(1, 1);
  for (StreamColumn column : kColumns) {
    ImGuiTableColumnFlags column_flags = ImGuiTableColumnFlags_None;
    if (column == StreamColumn::LastError) column_flags |= ImGuiTableColumnFlags_WidthStretch;
    ImGui::TableSetupColumn(t(column_title(column)), column_flags, 0, static_cast<ImGuiID>(column));
  }
  ImGui::TableHeadersRow();

  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
    if (specs->SpecsCount > 0) {
      sort_column = static_cast<StreamColumn>(specs->Specs[0].ColumnUserID);
      sort_ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    } else {
      sort_column.reset();  // tristate back to none: problem streams first
    }
    specs->SpecsDirty = false;
    sorted_generation = 0;
  }
  if (sorted_generation != rows_generation) {
    sorted = rows;
    sort_stream_rows(&sorted, sort_column, sort_ascending);
    sorted_generation = rows_generation;
  }

  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(sorted.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const StreamRow& row = sorted[static_cast<std::size_t>(i)];
      const auto& stats = row.stats;
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::Text("%s · %s", row.camera_name.c_str(),
                  t(row.stream == "sub" ? Text::SubStream : Text::MainStream));
      ImGui::TableSetColumnIndex(1);
      const ImVec4 colour = ImGui::ColorConvertU32ToFloat4(state_colour(row.state));
      ImGui::TextColored(colour, "%s", state_text(row.state, language));
      if (!row.running) {  // no channel: nothing to measure, but a visit's verdict stands
        if (row.quality) {
          ImGui::TableSetColumnIndex(9);
          draw_quality_cell(row);
        }
        continue;
      }
      ImGui::TableSetColumnIndex(2);
      ImGui::Text("%.1f", stats.fps_in);
      ImGui::TableSetColumnIndex(3);
      ImGui::Text("%.0f kbps", stats.bitrate_kbps);
      ImGui::TableSetColumnIndex(4);
      if (stats.width > 0) ImGui::Text("%dx%d", stats.width, stats.height);
      ImGui::TableSetColumnIndex(5);
      ImGui::TextUnformatted(stats.codec.c_str());
      ImGui::TableSetColumnIndex(6);
      if (!stats.decoder.empty()) {
        ImGui::Text("%s %s", t(stats.hardware_decoder ? Text::Hardware : Text::Software),
                    stats.decoder.c_str());
      }
      ImGui::TableSetColumnIndex(7);
      ImGui::Text("%llu", static_cast<unsigned long long>(stats.frames_dropped));
      ImGui::TableSetColumnIndex(8);
      ImGui::Text("%llu", static_cast<unsigned long long>(stats.reconnects));
      ImGui::TableSetColumnIndex(9);
      if (row.quality) {
        draw_quality_cell(row);
        ImGui::SameLine();
      }
      draw_reference_button(row);
      ImGui::TableSetColumnIndex(10);
      ImGui::TextUnformatted(stats.last_error.c_str());
      if (!stats.last_error.empty() && ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", stats.last_error.c_str());
    }
  }
  ImGui::EndTable();
}

void Panel::State::draw_quality_cell(const StreamRow& row) {
  // The faults in the operator's words (amber), 正常 without; a stream that no longer runs shows
  // the verdict of its last visit (a camera off the wall), marked so.
  std::string faults;
  for (const auto& f : row.quality->faults)
    faults += (faults.empty() ? "" : ", ") + std::string(renderer::quality_check_name(f, language));
  if (faults.empty())
    ImGui::TextUnformatted(t(Text::QualityOk));
  else
    ImGui::TextColored(ImVec4(1.0f, 0.69f, 0.0f, 1.0f), "%s", faults.c_str());
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "luma %.0f  sharpness %.0f  motion %.2f  noise %.1f  flat %.2f  cast %.0f  shake "
        "%.1f",
        row.quality->luma, row.quality->sharpness, row.quality->motion, row.quality->noise,
        row.quality->flat, row.quality->colour_cast, row.quality->shake);
  if (!row.running) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", t(Text::QualityLastVisit));
  }
}

void Panel::State::draw_reference_button(const StreamRow& row) {
  // The scene check's reference (场景变更): the operator confirms what this camera should show.
  const bool held = wall && wall->quality_references.count(row.camera_id) > 0;
  char label[160];
  const std::string key = row.camera_id + "/" + row.stream;  // main and sub rows: a button each
  std::snprintf(label, sizeof label, "%s###reference:%s",
                t(held ? Text::ResetReference : Text::SetReference), key.c_str());
  const bool clicked = ImGui::SmallButton(label);
  record("reference:", key);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t(Text::ReferenceHint));
  if (clicked) submit(QualityReference{row.camera_id}, t(Text::MsgReference));
}

void Panel::State::draw_cases_tab(const renderer::CaseView* cases) {
  if (!cases) {
    ImGui::TextDisabled("%s", t(Text::WaitingData));
    return;
  }
  if (cases->stale) {
    // Old numbers must not pass for live ones: say why instead.
    ImGui::TextColored(ImVec4(1.0f, 0.35f, 0.3f, 1.0f), "%s", t(Text::DataInterrupted));
    if (!cases->stale_reason.empty()) ImGui::TextWrapped("%s", cases->stale_reason.c_str());
    return;
  }

  ImGui::Text("%s %lld   %s %lld   %s %lld   %s %lld   %s %.1f%%", t(Text::ReportedToday),
              static_cast<long long>(cases->reported_today), t(Text::OpenCases),
              static_cast<long long>(cases->open), t(Text::Overdue),
              static_cast<long long>(cases->overdue), t(Text::Closed),
              static_cast<long long>(cases->closed_today), t(Text::ClosureRate),
              cases->closure_rate * 100.0);

  float hourly[24] = {};
  const std::size_t hours = std::min<std::size_t>(cases->hourly_reported.size(), 24);
  for (std::size_t h = 0; h < hours; ++h) hourly[h] = static_cast<float>(cases->hourly_reported[h]);
  ImGui::TextDisabled("%s", t(Text::HourlyReported));
  ImGui::PlotHistogram("##hourly", hourly, 24, 0, nullptr, 0.0f, FLT_MAX,
                       ImVec2(ImGui::GetContentRegionAvail().x, 64));

  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 half((avail.x - spacing) / 2, std::max(avail.y, 80.0f));
  case_table("##by_street", t(Text::ByStreet), cases->streets, half, language);
  ImGui::SameLine();
  case_table("##by_category", t(Text::ByCategory), cases->categories, half, language);
}

}  // namespace vw::controller::panel
