#include "controller/api/wallctl_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>

#include "renderer/quality_labels.hpp"
#include "renderer/utf8.hpp"

namespace vw::controller::api::wallctl {
namespace {

using nlohmann::json;

using renderer::decode_utf8_at;

bool in(char32_t cp, char32_t lo, char32_t hi) {
  return cp >= lo && cp <= hi;
}

// A compact wcwidth(): enough for Chinese, Japanese, Korean, fullwidth forms and common emoji.
int char_width(char32_t cp) {
  if (in(cp, 0x0300, 0x036F) || in(cp, 0x200B, 0x200F) || in(cp, 0x20D0, 0x20FF) ||
      in(cp, 0xFE00, 0xFE0F)) {
    return 0;
  }
  if (in(cp, 0x1100, 0x115F) || in(cp, 0x2E80, 0x303E) || in(cp, 0x3041, 0x33FF) ||
      in(cp, 0x3400, 0x4DBF) || in(cp, 0x4E00, 0x9FFF) || in(cp, 0xA000, 0xA4CF) ||
      in(cp, 0xA960, 0xA97F) || in(cp, 0xAC00, 0xD7A3) || in(cp, 0xF900, 0xFAFF) ||
      in(cp, 0xFE10, 0xFE19) || in(cp, 0xFE30, 0xFE6F) || in(cp, 0xFF00, 0xFF60) ||
      in(cp, 0xFFE0, 0xFFE6) || in(cp, 0x1F300, 0x1F64F) || in(cp, 0x1F900, 0x1F9FF) ||
      in(cp, 0x20000, 0x3FFFD)) {
    return 2;
  }
  return 1;
}

// Cuts `text` to at most `columns` display columns, marking the cut with "…".
std::string truncate(const std::string& text, std::size_t columns) {
  if (display_width(text) <= columns) return text;
  std::string out;
  std::size_t width = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    std::size_t len = decode_utf8_at(text, pos, &cp);
    const int w = len == 0 ? 1 : char_width(cp);
    if (len == 0) len = 1;
    if (width + static_cast<std::size_t>(w) + 1 > columns) break;
    out.append(text, pos, len);
    width += static_cast<std::size_t>(w);
    pos += len;
  }
  return out + "…";
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace

std::string number_text(const json& object, const char* key, int decimals) {
  const auto v = number_of(object, key);
  return v ? fixed(*v, decimals) : "-";
}

std::string or_dash(std::string text) {
  return text.empty() ? "-" : text;
}

const json& field(const json& object, const char* key) {
  static const json null_json;
  if (!object.is_object()) return null_json;
  const auto it = object.find(key);
  return it == object.end() ? null_json : *it;
}

namespace {

std::string stream_word(Lang lang, const std::string& stream) {
  if (lang == Lang::Zh && stream == "main") return "主码流";
  if (lang == Lang::Zh && stream == "sub") return "子码流";
  return stream;
}

std::string maximized_text(Lang lang, const json& object) {
  const auto tile = number_of(object, "maximized");
  if (!tile || *tile <= 0) return tr(lang, "无", "none");
  return std::string(tr(lang, "画面 ", "tile ")) + fixed(*tile, 0);
}

std::string alarms_text(Lang lang, const json& alarms) {
  if (!alarms.is_array() || alarms.empty()) return tr(lang, "无", "none");
  std::string out = std::to_string(alarms.size()) + " (";
  for (std::size_t i = 0; i < alarms.size(); ++i) {
    if (i > 0) out += "; ";
    out += text_of(alarms[i], "rule");
    const std::string banner = text_of(alarms[i], "banner");
    if (!banner.empty()) out += ": " + banner;
  }
  return out + ")";
}

void print_tours(std::ostream& out, Lang lang, const json& tours) {
  if (!tours.is_object() || tours.empty()) return;
  out << tr(lang, "轮巡:\n", "tours:\n");
  for (const auto& [tile, tour] : tours.items()) {
    std::vector<std::string> names;
    for (const auto& camera : field(tour, "cameras")) {
      names.push_back(camera.is_string() ? camera.get<std::string>() : one_line(camera));
    }
    std::string cameras;
    for (const auto& name : names) cameras += (cameras.empty() ? "" : " → ") + name;
    // "position" indexes the camera on show now; naming it reads better than a number.
    const auto position = number_of(tour, "position");
    std::string now = "-";
    if (position && *position >= 0 && *position < static_cast<double>(names.size())) {
      now = names[static_cast<std::size_t>(*position)];
    }
    out << "  " << tr(lang, "画面 ", "tile ") << sanitize(tile) << ": " << sanitize(cameras) << " ("
        << number_text(tour, "dwell_s", 0) << tr(lang, " 秒, 当前 ", " s, now ") << sanitize(now)
        << ")\n";
  }
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8_at(text, pos, &cp);
    width += len == 0 ? 1 : static_cast<std::size_t>(char_width(cp));
    pos += len == 0 ? 1 : len;
  }
  return width;
}

std::string sanitize(std::string_view text) {
  return renderer::printable(text);
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  auto clean = [&](const std::vector<std::string>& cells) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < headers_.size(); ++i) {
      row.push_back(i < cells.size() ? sanitize(cells[i]) : "");
      widths[i] = std::max(widths[i], display_width(row.back()));
    }
    return row;
  };
  std::vector<std::vector<std::string>> lines{clean(headers_)};
  for (const auto& cells : rows_) lines.push_back(clean(cells));

  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "  ";
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  emit(lines[0]);
  std::vector<std::string> rule;
  for (const std::size_t w : widths) rule.emplace_back(w, '-');
  emit(rule);
  for (std::size_t i = 1; i < lines.size(); ++i) emit(lines[i]);
}

std::string text_of(const json& object, const char* key) {
  const json& v = field(object, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return one_line(v);
  if (v.is_number_float()) return fixed(v.get<double>(), 1);
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return "";
}

std::optional<double> number_of(const json& object, const char* key) {
  const json& v = field(object, key);
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

std::optional<bool> bool_of(const json& object, const char* key) {
  const json& v = field(object, key);
  if (!v.is_boolean()) return std::nullopt;
  return v.get<bool>();
}

std::string one_line(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string state_word(Lang lang, const std::string& state) {
  if (lang == Lang::En) return state;
  static const std::map<std::string, std::string> words{
      {"playing", "播放中"},
      {"connecting", "连接中"},
      {"reconnecting", "重连中"},
      {"stalled", "卡顿"},
      {"error", "错误"},
      {"failed", "失败"},
      {"stopped", "已停止"},
      {"idle", "空闲"},
      {"empty", "空"},
      {"starting", "启动中"},
      {"paused", "暂停"},
      {"offline", "离线"},
      {"waiting", "等待中"},
      {"buffering", "缓冲中"},
      {"online", "在线"},
      {"unknown", "未知"},
      {"auth_failed", "认证失败"},
      {"not_found", "视频流不存在"},
      {"unsupported", "格式不支持"},
  };
  const auto it = words.find(state);
  return it == words.end() ? state : it->second;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  std::size_t padding = 0;
  for (const char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (c == '\n' || c == '\r') continue;
    const int v = value(c);
    if (v < 0 || padding > 0) return std::nullopt;  // nothing may follow the padding
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    if (++count == 4) {
      out += static_cast<char>((bits >> 16) & 0xFF);
      out += static_cast<char>((bits >> 8) & 0xFF);
      out += static_cast<char>(bits & 0xFF);
      bits = 0;
      count = 0;
    }
  }
  if (count == 1 || padding > 2) return std::nullopt;
  if (count == 2) out += static_cast<char>((bits >> 4) & 0xFF);
  if (count == 3) {
    out += static_cast<char>((bits >> 10) & 0xFF);
    out += static_cast<char>((bits >> 2) & 0xFF);
  }
  return out;
}

void print_command_reply(std::ostream& out, Lang lang, const json& reply) {
  const auto changed = bool_of(reply, "changed");
  const auto version = number_of(reply, "state_version");
  std::string line = !changed   ? tr(lang, "完成", "done")
                     : *changed ? tr(lang, "已完成", "done")
                                : tr(lang, "无变化", "no change");
  if (version)
    line += std::string(tr(lang, " (状态版本 ", " (state version ")) + fixed(*version, 0) + ")";
  out << line << '\n';
  const std::string message = text_of(reply, "message");
  if (!message.empty()) out << sanitize(message) << '\n';
}

namespace {

// A stream's picture-quality verdict (status streams[].quality): its faults in the operator's
// words, 正常 when it has none, "-" when it is not diagnosed.
std::string quality_words(Lang lang, const json& quality) {
  if (!quality.is_object()) return "-";
  const auto language =
      lang == Lang::Zh ? renderer::Language::Chinese : renderer::Language::English;
  std::string words;
  for (const auto& fault : field(quality, "faults"))
    if (fault.is_string())
      words += (words.empty() ? "" : tr(lang, "、", ", ")) +
               std::string(renderer::quality_check_name(fault.get<std::string>(), language));
  return words.empty() ? tr(lang, "正常", "ok") : words;
}

}  // namespace

void print_outputs(std::ostream& out, Lang lang, const json& reply) {
  const json& outputs = field(reply, "outputs");
  if (!outputs.is_array() || outputs.empty()) {
    out << tr(lang, "没有配置输出 (配置文件的 outputs)\n",
              "no outputs configured (outputs: in the config)\n");
    return;
  }
  Table table({tr(lang, "输出", "output"), tr(lang, "名称", "name"), tr(lang, "状态", "state"),
               tr(lang, "观看", "clients"), tr(lang, "已编码帧", "frames"),
               tr(lang, "地址", "url")});
  for (const auto& o : outputs) {
    const std::string state = text_of(o, "state");
    const char* word = state == "running"  ? tr(lang, "输出中", "running")
                       : state == "failed" ? tr(lang, "故障", "failed")
                                           : tr(lang, "未启动", "stopped");
    std::string addresses;
    for (const auto& a : field(o, "addresses"))
      if (a.is_string()) addresses += (addresses.empty() ? "" : " ") + a.get<std::string>();
    table.add_row({text_of(o, "id"), or_dash(text_of(o, "name")), word,
                   state == "running" ? number_text(o, "clients", 0) : "-",
                   state == "running" ? number_text(o, "frames_encoded", 0) : "-",
                   or_dash(addresses)});
  }
  table.print(out);
  for (const auto& o : outputs) {
    if (!text_of(o, "error").empty())
      out << sanitize(text_of(o, "id")) << ": " << truncate(sanitize(text_of(o, "error")), 200)
          << '\n';
    // An SRT or RTMP sink that failed while its output runs (restarted by the daemon).
    for (const char* kind : {"srt", "rtmp"}) {
      const json& sink = field(o, kind);
      if (!text_of(sink, "error").empty())
        out << sanitize(text_of(o, "id")) << " " << kind << ": "
            << truncate(sanitize(text_of(sink, "error")), 200) << '\n';
    }
  }
}

// Lifted masks are the exception an operator must not miss: a line of its own, only then.
void print_masks_lifted(std::ostream& out, Lang lang, const json& wall) {
  if (bool_of(wall, "masks_lifted").value_or(false))
    out << tr(lang, "隐私遮挡已解除（仅本地大屏，输出仍遮挡）",
              "privacy masks lifted (on the wall only; outputs stay masked)")
        << '\n';
}

void print_status(std::ostream& out, Lang lang, const json& reply) {
  const json& wall = field(reply, "wall");
  out << tr(lang, "布局 ", "layout ") << sanitize(or_dash(text_of(wall, "layout")))
      << tr(lang, "  版本 ", "  version ") << number_text(wall, "state_version", 0)
      << tr(lang, "  最大化 ", "  maximized ") << maximized_text(lang, wall)
      << tr(lang, "  告警 ", "  alarms ") << sanitize(alarms_text(lang, field(wall, "alarms")))
      << '\n';
  print_masks_lifted(out, lang, wall);
  print_tours(out, lang, field(wall, "tours"));
  // Fail closed: while the records fail every command is refused; say so first.
  const json& records = field(reply, "records");
  if (records.is_object() && !bool_of(records, "ok").value_or(true)) {
    for (const char* part : {"audit", "state_file"}) {
      const json& r = field(records, part);
      if (bool_of(r, "ok").value_or(true)) continue;
      out << (std::string(part) == "audit" ? tr(lang, "审计异常: ", "AUDIT FAILING: ")
                                           : tr(lang, "状态文件异常: ", "STATE FILE FAILING: "))
          << truncate(sanitize(text_of(r, "error")), 200)
          << tr(lang, " (命令一律拒绝, 直到恢复)\n",
                " (every command is refused until it works)\n");
    }
  }

  out << '\n';
  Table tiles({tr(lang, "画面", "tile"), tr(lang, "摄像机", "camera"), tr(lang, "码流", "stream"),
               tr(lang, "状态", "state")});
  for (const auto& tile : field(reply, "tiles")) {
    std::string name = text_of(tile, "name");
    if (name.empty()) name = text_of(tile, "camera");
    tiles.add_row({text_of(tile, "tile"), or_dash(name),
                   or_dash(stream_word(lang, text_of(tile, "stream"))),
                   or_dash(state_word(lang, text_of(tile, "state")))});
  }
  tiles.print(out);

  out << '\n';
  Table streams(
      {tr(lang, "码流", "stream"), tr(lang, "状态", "state"), tr(lang, "帧率(入/出)", "fps in/out"),
       tr(lang, "分辨率", "resolution"), tr(lang, "编码", "codec"), tr(lang, "解码器", "decoder"),
       tr(lang, "码率kbps", "kbps"), tr(lang, "丢帧", "drops"), tr(lang, "重连", "reconnects"),
       tr(lang, "画质", "picture"), tr(lang, "最近错误", "last error")});
  for (const auto& s : field(reply, "streams")) {
    const auto w = number_of(s, "width");
    const auto h = number_of(s, "height");
    const std::string resolution = w && h && *w > 0 ? fixed(*w, 0) + "x" + fixed(*h, 0) : "-";
    std::string decoder = or_dash(text_of(s, "decoder"));
    if (bool_of(s, "hardware").value_or(false)) decoder += tr(lang, " (硬件)", " (hw)");
    streams.add_row({text_of(s, "key"), or_dash(state_word(lang, text_of(s, "state"))),
                     number_text(s, "fps_in", 1) + "/" + number_text(s, "fps_out", 1), resolution,
                     or_dash(text_of(s, "codec")), decoder, number_text(s, "bitrate_kbps", 0),
                     number_text(s, "dropped", 0), number_text(s, "reconnects", 0),
                     quality_words(lang, field(s, "quality")),
                     or_dash(truncate(sanitize(text_of(s, "last_error")), 60))});
  }
  if (streams.empty()) {
    out << tr(lang, "(没有码流)\n", "(no streams)\n");
  } else {
    streams.print(out);
  }

  const json& render = field(reply, "render");
  if (render.is_object()) {
    out << '\n'
        << tr(lang, "渲染: ", "render: ") << sanitize(or_dash(text_of(render, "gl_renderer")))
        << tr(lang, " (", " (") << sanitize(or_dash(text_of(render, "path")))
        << tr(lang, " 路径), 已显示 ", " path), ") << number_text(render, "frames_presented", 0)
        << tr(lang, " 帧\n", " frames presented\n");
  }
}

void print_state(std::ostream& out, Lang lang, const json& reply) {
  const json& state = field(reply, "state");
  out << tr(lang, "布局 ", "layout ") << sanitize(or_dash(text_of(state, "layout")))
      << tr(lang, "  版本 ", "  version ") << number_text(state, "version", 0)
      << tr(lang, "  序号 ", "  seq ") << number_text(reply, "seq", 0)
      << tr(lang, "  最大化 ", "  maximized ") << maximized_text(lang, state)
      << tr(lang, "  告警 ", "  alarms ") << sanitize(alarms_text(lang, field(state, "alarms")))
      << '\n';
  print_masks_lifted(out, lang, state);
  print_tours(out, lang, field(state, "tours"));
  std::string presets;
  for (const auto& p : field(state, "presets")) {
    if (!presets.empty()) presets += ", ";
    presets += p.is_string() ? p.get<std::string>() : one_line(p);
  }
  out << tr(lang, "预案: ", "presets: ")
      << sanitize(presets.empty() ? tr(lang, "无", "none") : presets) << "\n\n";
  Table tiles({tr(lang, "画面", "tile"), tr(lang, "摄像机", "camera"), tr(lang, "编号", "id")});
  for (const auto& tile : field(state, "tiles")) {
    tiles.add_row(
        {text_of(tile, "tile"), or_dash(text_of(tile, "name")), or_dash(text_of(tile, "camera"))});
  }
  tiles.print(out);
}

void print_cameras(std::ostream& out, Lang lang, const json& reply) {
  Table table({tr(lang, "摄像机", "camera"), tr(lang, "名称", "name"), tr(lang, "街道", "street"),
               tr(lang, "子码流", "sub stream"), tr(lang, "状态", "state"),
               tr(lang, "画质", "picture"), tr(lang, "诊断于", "judged at")});
  for (const auto& c : field(reply, "cameras")) {
    const auto sub = bool_of(c, "has_sub");
    const json& quality = field(c, "quality");
    table.add_row({text_of(c, "id"), or_dash(text_of(c, "name")), or_dash(text_of(c, "street")),
                   !sub   ? "-"
                   : *sub ? tr(lang, "有", "yes")
                          : tr(lang, "无", "no"),
                   or_dash(state_word(lang, text_of(c, "state"))), quality_words(lang, quality),
                   or_dash(text_of(quality, "sampled_at"))});
  }
  table.print(out);
}

void print_layouts(std::ostream& out, Lang lang, const json& reply) {
  const std::string current = text_of(reply, "current");
  Table table({"", tr(lang, "布局", "layout"), tr(lang, "画面数", "tiles")});
  for (const auto& l : field(reply, "layouts")) {
    const std::string name = text_of(l, "name");
    table.add_row({name == current ? "*" : "", name, or_dash(text_of(l, "tiles"))});
  }
  table.print(out);
  out << tr(lang, "当前布局: ", "current: ") << sanitize(or_dash(current)) << '\n';
}

void print_reload(std::ostream& out, Lang lang, const json& reply) {
  print_command_reply(out, lang, reply);
  auto joined = [&](const char* key) {
    std::string list;
    for (const auto& s : field(reply, key)) {
      if (!list.empty()) list += ", ";
      list += s.is_string() ? s.get<std::string>() : one_line(s);
    }
    return list;
  };
  if (const auto settings = joined("restart_required"); !settings.empty())
    out << tr(lang, "以下设置需要重启守护进程才能生效: ", "restart the daemon for: ")
        << sanitize(settings) << '\n';
  if (const auto reloaded = joined("reloaded"); !reloaded.empty())
    out << tr(lang, "已重新加载: ", "reloaded: ") << sanitize(reloaded) << '\n';
}

std::string update_line(Lang lang, const std::string& topic, const json& body) {
  std::string time = text_of(body, "time");
  // "2026-11-30T09:12:33.123+08:00" -> "09:12:33.123": the date rarely matters while watching.
  if (time.size() >= 19 && time[10] == 'T') {
    time = time.substr(11);
    time = time.substr(0, time.find_first_of("+-Z"));
  }
  std::string line = "#" + or_dash(text_of(body, "seq")) + "  " + or_dash(time) + "  ";
  if (topic == "wall") {
    line += or_dash(text_of(body, "command"));
    const json& args = field(body, "args");
    if (args.is_object() && !args.empty()) line += " " + one_line(args);
    const json& origin = field(body, "origin");
    std::string who = text_of(origin, "name");
    if (who.empty()) who = text_of(origin, "identity");
    const std::string role = text_of(origin, "role");
    if (!role.empty()) who += "(" + role + ")";
    line += std::string("  ") + tr(lang, "来自 ", "by ") + or_dash(who);
    line += std::string("  ") + tr(lang, "布局 ", "layout ") +
            or_dash(text_of(field(body, "state"), "layout"));
  } else if (topic == "streams") {
    const json& streams = field(body, "streams");
    std::map<std::string, int> counts;
    for (const auto& s : streams) ++counts[state_word(lang, or_dash(text_of(s, "state")))];
    line += std::string(tr(lang, "码流 ", "streams ")) +
            std::to_string(streams.is_array() ? streams.size() : 0) + tr(lang, " 路", "");
    std::string sep = ": ";
    for (const auto& [state, n] : counts) {
      line += sep + state + " " + std::to_string(n);
      sep = ", ";
    }
  } else {
    line += topic + " " + one_line(body);
  }
  return sanitize(line);
}

}  // namespace vw::controller::api::wallctl
