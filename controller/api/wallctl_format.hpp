// Human-readable output of `wallctl` (Chinese by default, English with --lang en): tables aligned
// by terminal columns (CJK characters are two wide) and one-line summaries of daemon replies.
// Every string from the daemon is sanitised first, so a camera name cannot carry terminal
// escape sequences.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace vw::controller::api::wallctl {

enum class Lang { Zh, En };

inline const char* tr(Lang lang, const char* zh, const char* en) {
  return lang == Lang::Zh ? zh : en;
}

// Terminal columns `text` (UTF-8) takes: East Asian wide/fullwidth characters count two,
// combining marks zero. Invalid UTF-8 bytes count one each.
std::size_t display_width(std::string_view text);
// Control characters (escape sequences included) replaced by '?'; invalid UTF-8 by U+FFFD.
std::string sanitize(std::string_view text);

// Columns separated by two spaces, padded by display width, without trailing spaces.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Tolerant field access: a missing field or one of another type gives "" / nullopt, never an
// exception (the protocol lets the daemon add fields, and a wrong type must not crash wallctl).
std::string text_of(const nlohmann::json& object, const char* key);
std::optional<double> number_of(const nlohmann::json& object, const char* key);
std::optional<bool> bool_of(const nlohmann::json& object, const char* key);
// The member `key` of `object`, or a null json (the same object for every miss).
const nlohmann::json& field(const nlohmann::json& object, const char* key);
// A number with `decimals` digits, "-" when absent; "" shown as "-".
std::string number_text(const nlohmann::json& object, const char* key, int decimals);
std::string or_dash(std::string text);

// Compact one-line JSON; invalid UTF-8 replaced rather than throwing.
std::string one_line(const nlohmann::json& json);

// Standard base64 (RFC 4648, padding optional, line breaks skipped); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

// A state word ("playing", ...) in the output language; unknown words as they are.
std::string state_word(Lang lang, const std::string& state);

// Printers for replies (each ignores fields it does not know).
void print_command_reply(std::ostream& out, Lang lang, const nlohmann::json& reply);
void print_status(std::ostream& out, Lang lang, const nlohmann::json& reply);
// `output list`: {"outputs": [...]} as status carries them, one row per output.
void print_outputs(std::ostream& out, Lang lang, const nlohmann::json& reply);
void print_state(std::ostream& out, Lang lang, const nlohmann::json& reply);
void print_cameras(std::ostream& out, Lang lang, const nlohmann::json& reply);
void print_layouts(std::ostream& out, Lang lang, const nlohmann::json& reply);
// quality.report: a table per stream and fault (视频质量诊断报告), or CSV (one row per stream and
// fault; a stream without a fault gets one row with an empty check).
// "24h", "90m", "7d", "45s" or plain seconds, up to 31 days; -1 when it is none of these.
int duration_seconds(const std::string& text);

// (the quality printers are in wallctl_quality.cpp)
void print_quality_report(std::ostream& out, Lang lang, const nlohmann::json& reply);
void print_quality_csv(std::ostream& out, const nlohmann::json& reply);
// The report as one self-contained HTML page (the daily 视频质量诊断报告 to hand in): the period,
// per stream and fault its time, periods and longest, with the picture of the longest one's
// beginning embedded (quality.report with "snapshots": true).
void print_quality_html(std::ostream& out, Lang lang, const nlohmann::json& reply);
void print_reload(std::ostream& out, Lang lang, const nlohmann::json& reply);
// One line for a published update: seq, time, command, who, layout (wall) or a stream summary.
std::string update_line(Lang lang, const std::string& topic, const nlohmann::json& body);

}  // namespace vw::controller::api::wallctl
