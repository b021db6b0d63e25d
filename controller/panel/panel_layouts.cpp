// The wall side of the panel: the live miniature with one hit area per tile (select, drag a
// tile onto another, drop a camera), the selected tile's controls and tours, the layout
// diagrams and the presets (布局预案).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "controller/panel/panel_internal.hpp"

namespace vw::controller::panel {
namespace {

constexpr ImU32 kMiniatureBackground = IM_COL32(20, 22, 26, 255);
constexpr ImU32 kTileBorder = IM_COL32(90, 96, 108, 255);
constexpr ImU32 kTileHovered = IM_COL32(230, 230, 230, 255);
constexpr ImU32 kTileSelected = IM_COL32(255, 196, 0, 255);
constexpr ImU32 kTileNumber = IM_COL32(255, 255, 255, 230);
constexpr ImU32 kTileNumberShadow = IM_COL32(0, 0, 0, 200);
constexpr ImU32 kTourBadge = IM_COL32(230, 120, 20, 230);
constexpr ImU32 kDiagramBackground = IM_COL32(34, 38, 46, 255);
constexpr ImU32 kDiagramTile = IM_COL32(84, 96, 118, 255);
constexpr ImU32 kDiagramTileCurrent = IM_COL32(66, 150, 250, 255);
constexpr ImU32 kDiagramBorderCurrent = IM_COL32(140, 200, 255, 255);
constexpr float kDiagramWidth = 64;
constexpr float kDiagramHeight = 36;
constexpr std::size_t kMaxTourCameras = 64;

// Puts the next item on the current line when `width` more still fits before `right`.
void same_line_if_fits(float width, float right) {
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  if (ImGui::GetItemRectMax().x + spacing + width <= right) ImGui::SameLine();
}

bool is_blank(const char* s) {
  for (; *s; ++s)
    if (*s != ' ' && *s != '\t') return false;
  return true;
}

}  // namespace

void Panel::State::draw_miniature(const renderer::UiFrame& frame) {
  // The wall's aspect: the composite's when it exists, else the view's, else 16:9.
  float aspect_w = 16, aspect_h = 9;
  if (frame.wall_width > 0 && frame.wall_height > 0) {
    aspect_w = static_cast<float>(frame.wall_width);
    aspect_h = static_cast<float>(frame.wall_height);
  } else if (frame.view && frame.view->width > 0 && frame.view->height > 0) {
    aspect_w = static_cast<float>(frame.view->width);
    aspect_h = static_cast<float>(frame.view->height);
  }
  const float width = std::max(ImGui::GetContentRegionAvail().x * 0.45f, 120.0f);
  const ImVec2 size(width, width * aspect_h / aspect_w);

  ImGui::BeginGroup();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (frame.wall_texture != 0) {
    // The composite keeps its top row first (gl::Rows::TopFirst), as ImGui's v runs.
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(frame.wall_texture)), size,
                 ImVec2(0, 0), ImVec2(1, 1));
  } else {
    ImGui::Dummy(size);
    draw->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), kMiniatureBackground);
  }
  const ImVec2 after = ImGui::GetCursorScreenPos();

  if (layout) {
    const int tiles = static_cast<int>(layout->tiles.size());
    if (wall->maximized > 0 && wall->maximized <= tiles) {
      // The wall shows one tile: so does the miniature, as one hit area.
      draw_tile(wall->maximized, layouts::Rect{0, 0, 1, 1}, origin, size);
    } else {
      for (int i = 0; i < tiles; ++i)
        draw_tile(i + 1, layout->tiles[static_cast<std::size_t>(i)].rect, origin, size);
    }
  }
  ImGui::SetCursorScreenPos(after);
  ImGui::EndGroup();
}

void Panel::State::draw_tile(int tile, const layouts::Rect& rect, ImVec2 origin, ImVec2 size) {
  const ImVec2 p0(origin.x + static_cast<float>(rect.x) * size.x,
                  origin.y + static_cast<float>(rect.y) * size.y);
  const ImVec2 extent(std::max(static_cast<float>(rect.w) * size.x, 2.0f),
                      std::max(static_cast<float>(rect.h) * size.y, 2.0f));
  const ImVec2 p1(p0.x + extent.x, p0.y + extent.y);

  ImGui::PushID(tile);
  ImGui::SetCursorScreenPos(p0);
  if (ImGui::InvisibleButton("##tile", extent)) selected = tile;
  record("tile:", tile);
  const bool hovered = ImGui::IsItemHovered();

  if (ImGui::BeginDragDropSource()) {
    ImGui::SetDragDropPayload("VW_TILE", &tile, sizeof tile);
    ImGui::Text("%d", tile);
    ImGui::EndDragDropSource();
  }
  if (ImGui::BeginDragDropTarget()) {
    if (const ImGuiPayload* payload = ImGui::AcceptDragDropPayload("VW_TILE")) {
      int from = 0;
      std::memcpy(&from, payload->Data, sizeof from);
      if (from != tile) submit(TileSwap{from, tile}, format_text(t(Text::MsgSwap), from, tile));
    }
    if (const ImGuiPayload* payload = ImGui::AcceptDragDropPayload("VW_CAMERA")) {
      std::string id(static_cast<const char*>(payload->Data),
                     static_cast<std::size_t>(payload->DataSize));
      std::string ok = format_text(t(Text::MsgAssign), tile, camera_name(id).c_str());
      submit(TileAssign{tile, std::move(id)}, std::move(ok));
    }
    ImGui::EndDragDropTarget();
  }

  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (selected == tile) {
    draw->AddRect(ImVec2(p0.x + 1, p0.y + 1), ImVec2(p1.x - 1, p1.y - 1), kTileSelected, 0, 0, 3);
  } else {
    draw->AddRect(p0, p1, hovered ? kTileHovered : kTileBorder);
  }
  char number[16];
  std::snprintf(number, sizeof number, "%d", tile);
  draw->AddText(ImVec2(p0.x + 5, p0.y + 3), kTileNumberShadow, number);
  draw->AddText(ImVec2(p0.x + 4, p0.y + 2), kTileNumber, number);
  if (wall->tours.count(tile)) {
    const char* badge = t(Text::TourBadge);
    const ImVec2 text = ImGui::CalcTextSize(badge);
    const ImVec2 b1(p1.x - 3, p0.y + 3 + text.y + 2);
    const ImVec2 b0(b1.x - text.x - 6, p0.y + 3);
    if (b0.x > p0.x + 16) {  // only where it fits beside the number
      draw->AddRectFilled(b0, b1, kTourBadge, 3);
      draw->AddText(ImVec2(b0.x + 3, b0.y + 1), kTileNumber, badge);
    }
  }
  ImGui::PopID();
}

void Panel::State::draw_tile_controls() {
  ImGui::AlignTextToFramePadding();
  if (selected > 0)
    ImGui::Text(t(Text::SelectedTile), selected);
  else
    ImGui::TextDisabled("%s", t(Text::NoTileSelected));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t(Text::DragHint));

  char label[64];
  ImGui::BeginDisabled(selected == 0);
  std::snprintf(label, sizeof label, "%s###maximize", t(Text::Maximize));
  if (ImGui::Button(label))
    submit(TileMaximize{selected}, format_text(t(Text::MsgMaximize), selected));
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(wall->maximized == 0);
  std::snprintf(label, sizeof label, "%s###restore", t(Text::Restore));
  if (ImGui::Button(label)) submit(TileRestore{}, t(Text::MsgRestore));
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(selected == 0 ||
                       wall->slots[static_cast<std::size_t>(std::max(selected, 1) - 1)].empty());
  std::snprintf(label, sizeof label, "%s###clear", t(Text::Clear));
  if (ImGui::Button(label))
    submit(TileAssign{selected, {}}, format_text(t(Text::MsgClear), selected));
  ImGui::EndDisabled();

  // Tours: cycle the cameras the list shows now through the selected tile.
  ImGui::SetNextItemWidth(140);
  ImGui::SliderInt("##dwell", &dwell_s, kMinTourDwellSeconds, 120, t(Text::DwellFormat),
                   ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  ImGui::BeginDisabled(selected == 0 || filtered.size() < 2);
  std::snprintf(label, sizeof label, "%s###tour_start", t(Text::TourStart));
  const bool start = ImGui::Button(label);
  ImGui::EndDisabled();
  record("tour:start");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", t(Text::TourHint));
  if (start) start_tour();
  if (selected > 0 && wall->tours.count(selected)) {
    ImGui::SameLine();
    std::snprintf(label, sizeof label, "%s###tour_stop", t(Text::TourStop));
    const bool stop = ImGui::Button(label);
    record("tour:stop");
    if (stop) submit(TourStop{selected}, format_text(t(Text::MsgTourStop), selected));
  }
}

void Panel::State::start_tour() {
  if (!config || selected == 0) return;
  TourStart command;
  command.tile = selected;
  command.dwell_s = std::clamp(dwell_s, kMinTourDwellSeconds, 120);
  const std::size_t n = std::min(filtered.size(), kMaxTourCameras);
  command.cameras.reserve(n);
  for (std::size_t i = 0; i < n; ++i) command.cameras.push_back(config->cameras[filtered[i]].id);
  std::string ok =
      format_text(t(Text::MsgTourStart), selected, static_cast<int>(n), command.dwell_s);
  submit(std::move(command), std::move(ok));
}

void Panel::State::draw_layouts() {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", t(Text::Layouts));
  const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
  const float caption_h = ImGui::GetTextLineHeight();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const auto& all = services.wall->layouts().all();
  const bool chinese = language == renderer::Language::Chinese;

  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& candidate = all[i];
    if (i > 0) same_line_if_fits(kDiagramWidth, right);
    ImGui::PushID(static_cast<int>(i));
    ImGui::BeginGroup();
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const bool clicked = ImGui::InvisibleButton("##layout", ImVec2(kDiagramWidth, kDiagramHeight));
    record("layout:", candidate.name);
    const bool hovered = ImGui::IsItemHovered();
    const bool current = candidate.name == wall->layout;
    const ImVec2 p1(p0.x + kDiagramWidth, p0.y + kDiagramHeight);

    draw->AddRectFilled(p0, p1, kDiagramBackground, 2);
    for (const auto& tile : candidate.tiles) {
      const ImVec2 a(p0.x + 2 + static_cast<float>(tile.rect.x) * (kDiagramWidth - 4) + 1,
                     p0.y + 2 + static_cast<float>(tile.rect.y) * (kDiagramHeight - 4) + 1);
      const ImVec2 b(a.x + static_cast<float>(tile.rect.w) * (kDiagramWidth - 4) - 2,
                     a.y + static_cast<float>(tile.rect.h) * (kDiagramHeight - 4) - 2);
      draw->AddRectFilled(a, ImVec2(std::max(b.x, a.x + 1), std::max(b.y, a.y + 1)),
                          current ? kDiagramTileCurrent : kDiagramTile);
    }
    if (current || hovered)
      draw->AddRect(p0, p1, current ? kDiagramBorderCurrent : kTileHovered, 2, 0,
                    current ? 2.0f : 1.0f);

    // Caption under the diagram, clipped to its width: the Chinese title or the name.
    const std::string& caption =
        chinese && !candidate.title.empty() ? candidate.title : candidate.name;
    ImGui::Dummy(ImVec2(kDiagramWidth, caption_h));
    const float caption_w = ImGui::CalcTextSize(caption.c_str()).x;
    const ImVec4 clip(p0.x, p1.y, p1.x, p1.y + caption_h);
    draw->AddText(nullptr, 0, ImVec2(p0.x + std::max(0.0f, (kDiagramWidth - caption_w) / 2), p1.y),
                  ImGui::GetColorU32(current ? ImGuiCol_Text : ImGuiCol_TextDisabled),
                  caption.data(), caption.data() + caption.size(), 0, &clip);
    ImGui::EndGroup();
    if (hovered) {
      if (candidate.title.empty())
        ImGui::SetTooltip("%s", candidate.name.c_str());
      else
        ImGui::SetTooltip("%s (%s)", candidate.title.c_str(), candidate.name.c_str());
    }
    if (clicked)
      submit(LayoutSet{candidate.name}, format_text(t(Text::MsgLayout), candidate.name.c_str()));
    ImGui::PopID();
  }
}

void Panel::State::recall_preset(const std::string& name) {
  submit(PresetRecall{name}, format_text(t(Text::MsgPresetRecall), name.c_str()));
}

void Panel::State::draw_presets() {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", t(Text::Presets));
  const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
  const ImGuiStyle& style = ImGui::GetStyle();
  if (wall->presets.empty()) ImGui::TextDisabled("%s", t(Text::NoPresets));

  int i = 0;
  for (const auto& [name, preset] : wall->presets) {
    // The first nine carry their shortcut key.
    char label[160];
    if (i < 9)
      std::snprintf(label, sizeof label, "%d  %.120s###preset", i + 1, name.c_str());
    else
      std::snprintf(label, sizeof label, "%.120s###preset", name.c_str());
    const float width = ImGui::CalcTextSize(label, nullptr, true).x + style.FramePadding.x * 2;
    if (i > 0) same_line_if_fits(width, right);
    ImGui::PushID(i);
    const bool clicked = ImGui::Button(label);
    record("preset:", name);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(t(Text::PresetTooltip), preset.layout.c_str());
    if (clicked) recall_preset(name);
    if (ImGui::BeginPopupContextItem("##preset_menu")) {
      ImGui::TextDisabled("%s", name.c_str());
      if (ImGui::MenuItem(t(Text::PresetDelete)))
        submit(PresetDelete{name}, format_text(t(Text::MsgPresetDelete), name.c_str()));
      ImGui::EndPopup();
    }
    ImGui::PopID();
    ++i;
  }

  ImGui::SetNextItemWidth(180);
  const bool entered =
      ImGui::InputTextWithHint("##preset_name", t(Text::PresetNameHint), preset_name,
                               sizeof preset_name, ImGuiInputTextFlags_EnterReturnsTrue);
  record("preset:name");
  ImGui::SameLine();
  const bool blank = is_blank(preset_name);
  ImGui::BeginDisabled(blank);
  char label[64];
  std::snprintf(label, sizeof label, "%s###preset_save", t(Text::PresetSave));
  const bool save = ImGui::Button(label);
  ImGui::EndDisabled();
  record("preset:save");
  if ((save || entered) && !blank) {
    std::string name(preset_name);
    std::string ok = format_text(t(Text::MsgPresetSave), name.c_str());
    submit(PresetSave{std::move(name)}, std::move(ok));
    preset_name[0] = '\0';
  }
}

}  // namespace vw::controller::panel
