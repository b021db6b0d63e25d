// The operator panel's 输出 tab: each configured live output (docs/outputs.md) with its state,
// clients, frames and address, started and stopped by the same Commands as `wallctl output`;
// above them, whether the wall shows the privacy masks, lifted and restored by masks.lift (admin).
#include <algorithm>

#include "controller/panel/panel_internal.hpp"

namespace vw::controller::panel {

void Panel::State::draw_outputs_tab() {
  const auto now = std::chrono::steady_clock::now();
  if (now - outputs_at >= kRefresh) {  // the status takes the outputs' lock: not every frame
    outputs = services.outputs();
    outputs_at = now;
  }
  draw_masks_line();
  if (!outputs.is_array() || outputs.empty()) {
    ImGui::TextUnformatted(t(Text::NoOutputs));
    return;
  }
  constexpr ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                    ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("##outputs", 6, flags, ImVec2(0, ImGui::GetContentRegionAvail().y)))
    return;
  for (Text column :
       {Text::ColOutput, Text::ColState, Text::ColClients, Text::ColFrames, Text::ColAddress}) {
    ImGui::TableSetupColumn(t(column), column == Text::ColAddress
                                           ? ImGuiTableColumnFlags_WidthStretch
                                           : ImGuiTableColumnFlags_None);
  }
  ImGui::TableSetupColumn("##action");
  ImGui::TableHeadersRow();
  for (const nlohmann::json& o : outputs) {
    const std::string id = o.value("id", "");
    const std::string state = o.value("state", "");
    // What the operator asked for is wall state; what runs is the outputs' own status.
    const bool wanted =
        wall && std::find(wall->outputs.begin(), wall->outputs.end(), id) != wall->outputs.end();
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(o.value("name", id).c_str());
    ImGui::TableNextColumn();
    const Text word = state == "running"  ? Text::OutputRunning
                      : state == "failed" ? Text::OutputFailed
                                          : Text::OutputStopped;
    const ImU32 colour = state == "running"  ? IM_COL32(80, 200, 120, 255)
                         : state == "failed" ? IM_COL32(230, 80, 70, 255)
                                             : IM_COL32(160, 160, 160, 255);
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextUnformatted(t(word));
    ImGui::PopStyleColor();
    if (state == "failed" && ImGui::IsItemHovered())
      ImGui::SetTooltip("%s", o.value("error", "").c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%d", o.value("clients", 0));
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(o.value("frames_encoded", 0ull)));
    ImGui::TableNextColumn();
    // Each address on its line; an SRT or RTMP sink that failed in red, its error on hover.
    const nlohmann::json addresses = o.value("addresses", nlohmann::json::array());
    if (addresses.empty()) ImGui::TextUnformatted("-");
    for (const nlohmann::json& a : addresses) {
      const std::string address = a.is_string() ? a.get<std::string>() : std::string();
      const std::string kind = address.substr(0, address.find(':'));
      const std::string error =
          kind == "srt" || kind == "rtmp" || kind == "rtmps"
              ? o.value(kind == "srt" ? "srt" : "rtmp", nlohmann::json::object()).value("error", "")
              : std::string();
      if (!error.empty()) ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(230, 80, 70, 255));
      ImGui::TextUnformatted(address.c_str());
      if (!error.empty()) {
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", error.c_str());
      }
    }
    ImGui::TableNextColumn();
    char label[96];
    std::snprintf(label, sizeof label, "%s###output_%s",
                  t(wanted ? Text::OutputStop : Text::OutputStart), id.c_str());
    const bool clicked = ImGui::SmallButton(label);
    record("output:", id);
    if (!clicked) continue;
    const std::string name = o.value("name", id);
    if (wanted) {
      submit(OutputStop{id}, format_text(t(Text::MsgOutputStop), name.c_str()));
    } else {
      submit(OutputStart{id}, format_text(t(Text::MsgOutputStart), name.c_str()));
    }
  }
  ImGui::EndTable();
}

void Panel::State::draw_masks_line() {
  const bool any = config && std::any_of(config->cameras.begin(), config->cameras.end(),
                                         [](const auto& camera) { return !camera.masks.empty(); });
  if (!any) return;  // nothing to lift
  const bool lifted = wall && wall->masks_lifted;
  if (lifted) ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(240, 170, 60, 255));
  ImGui::TextUnformatted(t(lifted ? Text::MasksLifted : Text::MasksInForce));
  if (lifted) ImGui::PopStyleColor();
  ImGui::SameLine();
  char label[64];
  std::snprintf(label, sizeof label, "%s###masks",
                t(lifted ? Text::MasksRestore : Text::MasksLift));
  const bool clicked = ImGui::SmallButton(label);
  record("masks");
  if (clicked)
    submit(MasksLift{!lifted}, t(lifted ? Text::MsgMasksRestored : Text::MsgMasksLifted));
}

}  // namespace vw::controller::panel
