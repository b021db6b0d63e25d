// The camera list: search by name, street or pinyin initials, each row with its stream state,
// a drag source onto the miniature's tiles, and a double click assigning the selected tile.
#include <cfloat>
#include <string>

#include "controller/panel/panel_internal.hpp"

namespace vw::controller::panel {

ImU32 state_colour(streams::StreamState state) {
  using streams::StreamState;
  switch (state) {
    case StreamState::Playing:
      return IM_COL32(64, 200, 90, 255);
    case StreamState::Connecting:
    case StreamState::Reconnecting:
      return IM_COL32(235, 190, 40, 255);
    case StreamState::Stalled:
    case StreamState::AuthFailed:
    case StreamState::NotFound:
    case StreamState::Unsupported:
      return IM_COL32(225, 60, 50, 255);
    case StreamState::Idle:
      break;
  }
  return IM_COL32(128, 128, 128, 255);
}

void Panel::State::refresh_cameras() {
  // The config only changes on a reload; the index (pinyin of every name) follows it.
  if (config.get() != index_config) {
    if (config)
      index.emplace(config->cameras);
    else
      index.reset();
    index_config = config.get();
    highlighted = static_cast<std::size_t>(-1);
    filter_dirty = true;
  }
  if (!filter_dirty) return;
  filter_dirty = false;
  if (index)
    filtered = index->filter(query);
  else
    filtered.clear();
}

void Panel::State::draw_cameras_tab() {
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::InputTextWithHint("##search", t(Text::SearchHint), query, sizeof query)) {
    filter_dirty = true;
    refresh_cameras();  // this frame's rows already follow the new query
  }
  record("search");
  if (!config) return;
  const auto& cameras = config->cameras;
  ImGui::TextDisabled(t(Text::CameraCount), static_cast<int>(filtered.size()),
                      static_cast<int>(cameras.size()));

  // Not resizable: column borders would take clicks and drags meant for the rows.
  constexpr ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                    ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##cameras", 4, flags, ImVec2(0, ImGui::GetContentRegionAvail().y)))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(t(Text::ColCamera), ImGuiTableColumnFlags_WidthStretch, 3);
  ImGui::TableSetupColumn(t(Text::ColStreet), ImGuiTableColumnFlags_WidthStretch, 2);
  ImGui::TableSetupColumn(t(Text::ColState), ImGuiTableColumnFlags_WidthStretch, 2);
  ImGui::TableSetupColumn(t(Text::ColVideo), ImGuiTableColumnFlags_WidthStretch, 3);
  ImGui::TableHeadersRow();

  const float dot = ImGui::GetTextLineHeight() * 0.5f;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  // Only the visible rows are built: 64 cameras or 640 cost the same per frame.
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(filtered.size()));
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const std::size_t index = filtered[static_cast<std::size_t>(row)];
      const auto& camera = cameras[index];
      const CameraLive live_state = index < live.size() ? live[index] : CameraLive{};
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::PushID(static_cast<int>(index));

      const ImVec2 start = ImGui::GetCursorScreenPos();
      const bool clicked = ImGui::Selectable(
          "##row", highlighted == index,
          ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick);
      record("camera:", camera.id);
      if (clicked) {
        highlighted = index;
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && selected > 0) {
          std::string ok = format_text(t(Text::MsgAssign), selected, camera.name.c_str());
          submit(TileAssign{selected, camera.id}, std::move(ok));
        }
      }
      if (ImGui::BeginDragDropSource()) {
        ImGui::SetDragDropPayload("VW_CAMERA", camera.id.data(), camera.id.size());
        ImGui::TextUnformatted(camera.name.c_str());
        ImGui::EndDragDropSource();
      }

      // The dot and the name share the first cell, drawn over the selectable.
      const float line = ImGui::GetTextLineHeight();
      draw->AddCircleFilled(ImVec2(start.x + dot, start.y + line * 0.5f), dot * 0.8f,
                            state_colour(live_state.state));
      ImGui::SameLine(0, 0);
      ImGui::SetCursorScreenPos(ImVec2(start.x + dot * 2 + 4, start.y));
      ImGui::TextUnformatted(camera.name.c_str());

      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(camera.street.c_str());
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(state_text(live_state.state, language));
      ImGui::TableSetColumnIndex(3);
      if (live_state.state == streams::StreamState::Playing) {
        if (live_state.width > 0)
          ImGui::Text("%.0f fps  %dx%d", live_state.fps, live_state.width, live_state.height);
        else
          ImGui::Text("%.0f fps", live_state.fps);
      }
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
}

}  // namespace vw::controller::panel
