// Checks shared by the fuzz targets of the YAML files (config, alarm rules, layouts): a refusal
// names the file, a field and a line that exists in the input.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include "controller/core/config.hpp"

namespace vw::fuzz {

// The last line (1-based) a mark in `text` can name; yaml-cpp breaks lines at '\n' and '\r'.
inline int max_line(std::string_view text) {
  return 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n') +
                              std::count(text.begin(), text.end(), '\r'));
}

// A ConfigError as main() prints it: "file[:line]: field: message", each part there, and no
// control byte in the text (a NUL would cut what() short; the others would reach the terminal).
inline void check_config_error(const controller::ConfigError& e, const std::string& file,
                               std::string_view text) {
  const std::string_view what = e.what();  // up to the first NUL
  const std::string prefix = file + (e.line() > 0 ? ":" + std::to_string(e.line()) : "") + ": ";
  const bool control = std::any_of(what.begin(), what.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (e.file() != file || e.field().empty() || e.line() < 0 || e.line() > max_line(text) ||
      what.substr(0, prefix.size()) != prefix || control ||
      what.size() < prefix.size() + e.field().size() + 3) {
    __builtin_trap();
  }
}

}  // namespace vw::fuzz
