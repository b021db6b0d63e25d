// The printers of the picture-quality report (视频质量诊断报告): a table, CSV and an HTML page
// (wallctl_format.hpp declares them).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "controller/api/wallctl_format.hpp"
#include "renderer/quality_labels.hpp"
#include "renderer/utf8.hpp"

namespace vw::controller::api::wallctl {

using nlohmann::json;

namespace {

std::string hms(double seconds) {
  const long long s = std::llround(std::max(seconds, 0.0));
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return text;
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

int duration_seconds(const std::string& text) {
  if (text.empty()) return -1;
  static const std::map<char, int> kUnits{{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  const auto unit_it = kUnits.find(text.back());
  const int unit = unit_it == kUnits.end() ? 1 : unit_it->second;
  const std::string digits = unit_it == kUnits.end() ? text : text.substr(0, text.size() - 1);
  if (digits.empty() || digits.size() > 7 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  const long long value = std::stoll(digits) * unit;
  return value > 31LL * 86400 ? -1 : static_cast<int>(value);
}

void print_quality_report(std::ostream& out, Lang lang, const json& reply) {
  out << tr(lang, "视频质量诊断报告 ", "Picture quality report ") << text_of(reply, "since")
      << " – " << text_of(reply, "until") << "\n";
  const auto language =
      lang == Lang::Zh ? renderer::Language::Chinese : renderer::Language::English;
  Table table({tr(lang, "码流", "stream"), tr(lang, "检查", "check"), tr(lang, "时长", "time"),
               tr(lang, "次数", "periods"), tr(lang, "最长", "longest"),
               tr(lang, "最长开始于", "longest from"), tr(lang, "持续中", "ongoing")});
  for (const auto& s : field(reply, "streams")) {
    const json& faults = field(s, "faults");
    if (!faults.is_array() || faults.empty()) {
      table.add_row({text_of(s, "stream"), tr(lang, "正常", "ok"), "-", "0", "-", "-", "-"});
      continue;
    }
    for (const auto& f : faults)
      table.add_row({text_of(s, "stream"),
                     std::string(renderer::quality_check_name(text_of(f, "check"), language)),
                     hms(number_of(f, "seconds").value_or(0)), number_text(f, "periods", 0),
                     hms(number_of(f, "longest_s").value_or(0)),
                     or_dash(text_of(f, "longest_from")),
                     bool_of(f, "ongoing").value_or(false) ? tr(lang, "是", "yes") : "-"});
  }
  if (table.empty()) {
    out << tr(lang, "(没有诊断中的码流)\n", "(no stream diagnosed)\n");
  } else {
    table.print(out);
  }
}

void print_quality_csv(std::ostream& out, const json& reply) {
  out << "stream,camera,check,seconds,periods,longest_s,longest_from,ongoing\n";
  for (const auto& s : field(reply, "streams")) {
    const std::string lead = csv_cell(text_of(s, "stream")) + "," + csv_cell(text_of(s, "camera"));
    const json& faults = field(s, "faults");
    if (!faults.is_array() || faults.empty()) {
      out << lead << ",,0,0,0,,false\n";
      continue;
    }
    for (const auto& f : faults)
      out << lead << "," << csv_cell(text_of(f, "check")) << "," << number_text(f, "seconds", 1)
          << "," << number_text(f, "periods", 0) << "," << number_text(f, "longest_s", 1) << ","
          << csv_cell(text_of(f, "longest_from")) << ","
          << (bool_of(f, "ongoing").value_or(false) ? "true" : "false") << "\n";
  }
}

namespace {

// Text for an HTML page: sanitised (no control characters), the markup characters escaped.
std::string html_text(const std::string& text) {
  return renderer::html_escaped(sanitize(text));
}

// A base64 picture from the daemon, only if it is base64 (it goes into an attribute).
bool plain_base64(const std::string& text) {
  return !text.empty() && text.find_first_not_of(
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                              "vwxyz0123456789+/=") == std::string::npos;
}

}  // namespace

void print_quality_html(std::ostream& out, Lang lang, const json& reply) {
  const auto language =
      lang == Lang::Zh ? renderer::Language::Chinese : renderer::Language::English;
  const std::string title = tr(lang, "视频质量诊断报告", "Picture quality report");
  const std::string period = text_of(reply, "since") + " – " + text_of(reply, "until");
  out << "<!DOCTYPE html>\n<html lang=\"" << tr(lang, "zh-CN", "en") << "\">\n<head>\n"
      << "<meta charset=\"utf-8\">\n<title>" << html_text(title) << " " << html_text(period)
      << "</title>\n<style>body{font-family:sans-serif;margin:2em}"
         "table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;"
         "vertical-align:top}th{background:#eee}.ok{color:#080}.fault{color:#b60}"
         "img{max-width:480px}</style>\n</head>\n<body>\n<h1>"
      << html_text(title) << "</h1>\n<p>" << html_text(tr(lang, "时段：", "Period: "))
      << html_text(period) << "</p>\n<table>\n<tr><th>" << tr(lang, "码流", "Stream") << "</th><th>"
      << tr(lang, "检查", "Check") << "</th><th>" << tr(lang, "时长", "Time") << "</th><th>"
      << tr(lang, "次数", "Periods") << "</th><th>" << tr(lang, "最长", "Longest") << "</th><th>"
      << tr(lang, "最长开始于", "Longest from") << "</th><th>" << tr(lang, "持续中", "Ongoing")
      << "</th><th>" << tr(lang, "开始时画面", "Picture at its start") << "</th></tr>\n";
  int rows = 0;
  for (const auto& s : field(reply, "streams")) {
    const std::string stream = html_text(text_of(s, "stream"));
    const json& faults = field(s, "faults");
    if (!faults.is_array() || faults.empty()) {
      out << "<tr><td>" << stream << "</td><td class=\"ok\">" << tr(lang, "正常", "ok")
          << "</td><td>-</td><td>0</td><td>-</td><td>-</td><td>-</td><td></td></tr>\n";
      ++rows;
      continue;
    }
    for (const auto& f : faults) {
      const std::string picture = text_of(f, "snapshot");
      out << "<tr><td>" << stream << "</td><td class=\"fault\">"
          << html_text(std::string(renderer::quality_check_name(text_of(f, "check"), language)))
          << "</td><td>" << hms(number_of(f, "seconds").value_or(0)) << "</td><td>"
          << number_text(f, "periods", 0) << "</td><td>"
          << hms(number_of(f, "longest_s").value_or(0)) << "</td><td>"
          << html_text(or_dash(text_of(f, "longest_from"))) << "</td><td>"
          << (bool_of(f, "ongoing").value_or(false) ? tr(lang, "是", "yes") : "-") << "</td><td>";
      if (plain_base64(picture))
        out << "<img alt=\"" << stream << "\" src=\"data:image/jpeg;base64," << picture << "\">";
      out << "</td></tr>\n";
      ++rows;
    }
  }
  out << "</table>\n";
  if (rows == 0)
    out << "<p>" << tr(lang, "(没有诊断中的码流)", "(no stream diagnosed)") << "</p>\n";
  if (const auto left_out = number_of(reply, "snapshots_left_out"); left_out && *left_out > 0)
    out << "<p>" << tr(lang, "另有画面未附：", "Pictures left out: ") << *left_out << "</p>\n";
  out << "</body>\n</html>\n";
}

}  // namespace vw::controller::api::wallctl
