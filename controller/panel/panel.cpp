// The operator panel's frame: one ImGui window with the alarm banner, the wall miniature and
// its controls, layouts and presets, the tabs, and the status line; plus the keyboard
// shortcuts, the controller replies shown in the status line, and the widget rectangles.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iterator>
#include <utility>

#include "controller/panel/panel_internal.hpp"
#include "renderer/quality_labels.hpp"

namespace vw::controller::panel {

Origin panel_origin(Role role) {
  return Origin{"panel:local", "操作面板", std::string(to_string(role))};
}

// ---- RectTable ----------------------------------------------------------------------------

void Panel::RectTable::add(std::string_view prefix, std::string_view name, const PanelRect& rect) {
  if (used == entries.size()) entries.emplace_back();
  auto& entry = entries[used++];
  entry.id.assign(prefix);  // reuses the string's capacity from earlier frames
  entry.id.append(name);
  entry.rect = rect;
}

void Panel::RectTable::finish() {
  std::sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(used),
            [](const Entry& a, const Entry& b) { return a.id < b.id; });
}

const PanelRect* Panel::RectTable::find(std::string_view id) const {
  auto end = entries.begin() + static_cast<std::ptrdiff_t>(used);
  auto it = std::lower_bound(entries.begin(), end, id,
                             [](const Entry& e, std::string_view key) { return e.id < key; });
  return it != end && it->id == id ? &it->rect : nullptr;
}

// ---- Panel --------------------------------------------------------------------------------

Panel::State::State(Panel& owner_in, PanelServices services_in)
    : owner(owner_in),
      services(std::move(services_in)),
      link(std::make_shared<MessageLink>()),
      language(services.language) {
  link->panel = &owner;
}

Panel::Panel(PanelServices services)
    : state_(std::make_unique<State>(*this, std::move(services))),
      rects_(std::make_unique<RectTable>()) {}

Panel::~Panel() {
  // Replies still queued on the controller find the link empty instead of a dead panel.
  std::lock_guard lock(state_->link->mutex);
  state_->link->panel = nullptr;
}

void Panel::set_message(std::string message) {
  std::lock_guard lock(mutex_);
  message_ = std::move(message);
  ++message_version_;
}

std::optional<PanelRect> Panel::locate(const std::string& id) const {
  std::lock_guard lock(mutex_);
  if (const auto* rect = rects_->find(id)) return *rect;
  return std::nullopt;
}

std::string Panel::last_message() const {
  std::lock_guard lock(mutex_);
  return message_;
}

std::vector<std::string> Panel::glyph_texts() const {
  std::vector<std::string> out = all_texts();
  for (auto& word : renderer::quality_words()) out.push_back(std::move(word));  // 画质 column
  const auto* wall = state_->services.wall;
  if (!wall) return out;
  if (auto config = wall->config()) {
    for (const auto& camera : config->cameras) {
      out.push_back(camera.name);
      if (!camera.street.empty()) out.push_back(camera.street);
    }
  }
  for (const auto& layout : wall->layouts().all()) {
    out.push_back(layout.name);
    if (!layout.title.empty()) out.push_back(layout.title);
  }
  return out;
}

int Panel::selected_tile() const {
  return state_->selected;
}

void Panel::build(const renderer::UiFrame& frame) {
  State& s = *state_;
  s.back->clear();
  {
    std::lock_guard lock(mutex_);
    if (s.message_version != message_version_) {
      s.message = message_;
      s.message_version = message_version_;
    }
  }

  if (s.services.wall) {
    s.begin_frame();

    // "###" keeps the window's identity when the title's language changes.
    char title[64];
    std::snprintf(title, sizeof title, "%s###vw_panel", s.t(Text::WindowTitle));
    ImGuiWindowFlags flags = ImGuiWindowFlags_NoCollapse;
    if (frame.overlay) {
      ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_FirstUseEver);
      ImGui::SetNextWindowSize(ImVec2(std::min(frame.width * 0.62f, 1100.0f), frame.height),
                               ImGuiCond_FirstUseEver);
    } else {
      ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
      ImGui::SetNextWindowSize(ImVec2(frame.width, frame.height), ImGuiCond_Always);
      flags |= ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
               ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    }
    if (ImGui::Begin(title, nullptr, flags)) {
      if (!s.wall->alarms.empty()) s.draw_banner();

      s.draw_miniature(frame);
      ImGui::SameLine();
      ImGui::BeginGroup();
      s.draw_tile_controls();
      s.draw_layouts();
      s.draw_presets();
      ImGui::EndGroup();

      // The tabs take what is left above the status line.
      const float footer =
          ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y +
          (s.services.wall->records_health().ok() ? 0.0f : ImGui::GetTextLineHeightWithSpacing());
      ImGui::BeginChild("##body", ImVec2(0, -footer));
      if (ImGui::BeginTabBar("##tabs")) {
        if (s.begin_tab(Text::TabCameras, "cameras")) {
          s.draw_cameras_tab();
          ImGui::EndTabItem();
        }
        if (s.begin_tab(Text::TabStreams, "streams")) {
          s.draw_streams_tab();
          ImGui::EndTabItem();
        }
        if (s.begin_tab(Text::TabCases, "cases")) {
          s.draw_cases_tab(frame.cases);
          ImGui::EndTabItem();
        }
        if (s.services.outputs && s.begin_tab(Text::TabOutputs, "outputs")) {
          s.draw_outputs_tab();
          ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
      }
      ImGui::EndChild();
      s.draw_records_warning();
      s.draw_status_line();
    }
    ImGui::End();
    s.handle_shortcuts();
  }

  s.back->finish();
  std::lock_guard lock(mutex_);
  std::swap(rects_, s.back);
}

// ---- Frame pieces -------------------------------------------------------------------------

void Panel::State::begin_frame() {
  wall = services.wall->state();
  config = services.wall->config();
  layout = services.wall->layouts().find(wall->layout);
  const int tiles = layout ? static_cast<int>(layout->tiles.size()) : 0;
  if (selected > tiles) selected = 0;  // the layout changed under the selection
  refresh_cameras();
  refresh_streams();
}

bool Panel::State::begin_tab(Text label, const char* key) {
  char id[64];  // "###key": the tab stays the same tab when the language changes
  std::snprintf(id, sizeof id, "%s###%s", t(label), key);
  const bool open = ImGui::BeginTabItem(id);
  record("tab:", key);  // the tab button itself, selected or not
  return open;
}

void Panel::State::record(std::string_view prefix, std::string_view name) {
  // Clipped widgets cannot be clicked, so they are not reported either.
  if (!ImGui::IsItemVisible()) return;
  const ImVec2 min = ImGui::GetItemRectMin();
  const ImVec2 max = ImGui::GetItemRectMax();
  back->add(prefix, name, PanelRect{min.x, min.y, max.x - min.x, max.y - min.y});
}

void Panel::State::record(std::string_view prefix, int number) {
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, number);
  (void)ec;
  record(prefix, std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

const std::string& Panel::State::camera_name(const std::string& id) const {
  if (config)
    if (const auto* camera = config->find_camera(id)) return camera->name;
  return id;
}

WallController::Done Panel::State::reply_to_status(std::string ok_text) const {
  // The refusal format is taken now: the reply speaks the language the operator acted in.
  return [link = link, ok = std::move(ok_text), language = language](const CommandResult& result) {
    std::string message;
    if (result.ok) {
      message = ok;
      // The controller's notes are English (logs, API): shown to English-speaking operators.
      if (!result.message.empty() && language == renderer::Language::English)
        message += " (" + result.message + ")";
    } else {
      message = refusal_text(result, language);
    }
    std::lock_guard lock(link->mutex);
    if (link->panel) link->panel->set_message(std::move(message));
  };
}

void Panel::State::submit(Command command, std::string ok_text) {
  if (const Role needed = required_role(command); services.role < needed) {
    owner.set_message(format_text(t(Text::MsgNeedsRole), t(role_text(needed))));
    return;
  }
  services.wall->submit(std::move(command), panel_origin(services.role),
                        reply_to_status(std::move(ok_text)));
}

void Panel::State::draw_banner() {
  const auto& newest = wall->alarms.back();
  const ImGuiStyle& style = ImGui::GetStyle();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(176, 24, 24, 255));
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 255, 255, 255));
  const float height = ImGui::GetFrameHeight() + style.WindowPadding.y * 2;
  ImGui::BeginChild("##alarm", ImVec2(0, height), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_AlwaysUseWindowPadding);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(newest.banner.empty() ? newest.rule.c_str() : newest.banner.c_str());
  if (wall->alarms.size() > 1) {
    ImGui::SameLine();
    ImGui::Text(t(Text::AlarmCount), static_cast<int>(wall->alarms.size()));
  }
  const char* ack = t(Text::AlarmAck);
  const float button = ImGui::CalcTextSize(ack).x + style.FramePadding.x * 2;
  ImGui::SameLine(std::max(ImGui::GetWindowContentRegionMax().x - button,
                           ImGui::GetCursorPosX() + style.ItemSpacing.x));
  ImGui::PushStyleColor(ImGuiCol_Button, IM_COL32(120, 10, 10, 255));
  const bool clicked = ImGui::Button(ack);
  ImGui::PopStyleColor();
  record("alarm:ack");
  if (clicked) {
    auto done = reply_to_status(t(Text::MsgAck));
    if (services.role < required_role(AlarmAck{}))
      owner.set_message(format_text(t(Text::MsgNeedsRole), t(role_text(Role::Operator))));
    else if (services.acknowledge)
      services.acknowledge("", panel_origin(services.role), std::move(done));
    else  // no alarm engine wired in: the controller still ends the alarms
      services.wall->submit(AlarmAck{}, panel_origin(services.role), std::move(done));
  }
  ImGui::EndChild();
  ImGui::PopStyleColor(2);
}

void Panel::State::draw_records_warning() {
  const RecordsHealth health = services.wall->records_health();
  if (health.ok()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 64, 64, 255));
  ImGui::TextUnformatted(t(health.audit_ok ? Text::StateFailing : Text::AuditFailing));
  ImGui::PopStyleColor();
  record("records_warning");
}

void Panel::State::draw_status_line() {
  ImGui::Separator();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(message.empty() ? t(Text::Ready) : message.c_str());
  const char* label = t(Text::LanguageSwitch);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float button = ImGui::CalcTextSize(label).x + style.FramePadding.x * 2;
  ImGui::SameLine(std::max(ImGui::GetWindowContentRegionMax().x - button,
                           ImGui::GetCursorPosX() + style.ItemSpacing.x));
  char button_label[32];  // the label differs per language; the id must not
  std::snprintf(button_label, sizeof button_label, "%s###lang", label);
  const bool clicked = ImGui::Button(button_label);
  record("lang");
  if (clicked) {
    language = language == renderer::Language::Chinese ? renderer::Language::English
                                                       : renderer::Language::Chinese;
    owner.set_message(t(Text::LanguageChanged));
  }
}

void Panel::State::handle_shortcuts() {
  // Typing a preset name or a search must not switch the wall; Esc in an open menu closes
  // the menu, nothing else.
  if (ImGui::GetIO().WantTextInput || ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId))
    return;
  for (int i = 0; i < 9; ++i) {
    if (!ImGui::IsKeyPressed(GLFW_KEY_1 + i, false)) continue;
    if (static_cast<std::size_t>(i) < wall->presets.size())
      recall_preset(std::next(wall->presets.begin(), i)->first);
  }
  if (selected > 0 && ImGui::IsKeyPressed(GLFW_KEY_F, false))
    submit(TileMaximize{selected}, format_text(t(Text::MsgMaximize), selected));
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) submit(TileRestore{}, t(Text::MsgRestore));
}

}  // namespace vw::controller::panel
