// The one reader of YAML mappings for the config and the alarm-rules file: every mistake becomes
// a ConfigError naming file, line and field, whatever kind of node stands where (a list where a
// key was expected, a map where a text was, a key that is itself a list). Nothing here lets a
// yaml-cpp exception out.
//
// Threads: plain values; use one reader from one thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "controller/core/config.hpp"

namespace vw::controller {

// 1-based line of a node, 0 when unknown.
int yaml_line(const YAML::Node& node);

// Parses `text` as exactly one YAML document. Throws ConfigError for a syntax error (with its
// line), for more than one document, and for input on which yaml-cpp 0.7 stops making progress
// (it would loop, allocating, on e.g. a stray ',').
YAML::Node load_yaml_document(const std::string& text, const std::string& file);

// One mapping. Keys are taken one by one; whatever is left at the end is an unknown key, reported
// with the keys that would have been understood.
class YamlMap {
 public:
  // `where` is the field path of the mapping ("cameras[2]", "" for the file's top level).
  YamlMap(const YAML::Node& node, std::string where, const std::string& file);

  // "where.key" (or "key" at the top level).
  std::string field(std::string_view key) const;

  // The value of key, or an undefined node; marks the key as known.
  YAML::Node take(const char* key);
  // True when the key is there with a non-null value.
  static bool present(const YAML::Node& value) { return value.IsDefined() && !value.IsNull(); }

  // Checks of a value already taken; `key` names it in the error (relative to this mapping).
  std::string text(std::string_view key, const YAML::Node& value) const;
  int integer(std::string_view key, const YAML::Node& value, int lo, int hi) const;
  double number(std::string_view key, const YAML::Node& value, double lo, double hi,
                std::string_view unit) const;
  bool boolean(std::string_view key, const YAML::Node& value) const;

  // Take and check in one step; `fallback` when the key is absent or null.
  std::string text_or(const char* key, std::string fallback);
  int integer_or(const char* key, int fallback, int lo, int hi);
  double number_or(const char* key, double fallback, double lo, double hi, std::string_view unit);
  bool boolean_or(const char* key, bool fallback);

  // hints: key -> where it belongs, for keys that are commonly put one level off.
  void reject_unknown(const char* known,
                      const std::map<std::string, std::string>& hints = {}) const;

  // Throws ConfigError at `at`'s line (this mapping's line when `at` is undefined) for field(key).
  [[noreturn]] void fail(const YAML::Node& at, std::string_view key,
                         const std::string& message) const;

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }

 private:
  YAML::Node node_;
  std::string where_;
  std::string file_;
  std::set<std::string, std::less<>> taken_;
};

}  // namespace vw::controller
