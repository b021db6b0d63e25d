#include "controller/core/yaml_reader.hpp"

#include <charconv>
#include <cmath>
#include <sstream>
#include <vector>

#include "layouts/yaml_documents.hpp"

namespace vw::controller {
namespace {

std::string range_text(double lo, double hi) {
  std::ostringstream out;
  out << lo << " and " << hi;
  return out.str();
}

}  // namespace

int yaml_line(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

YAML::Node load_yaml_document(const std::string& text, const std::string& file) {
  try {
    const layouts::YamlDocumentScan docs = layouts::scan_yaml_documents(text);
    if (docs.stuck) {
      const auto& at = *docs.stuck;
      const auto pos = static_cast<std::size_t>(at.pos);
      const std::string token = pos < text.size() ? text.substr(pos, 1) : "?";
      throw ConfigError(file, at.line + 1, "(syntax)",
                        "unexpected '" + token + "' at column " + std::to_string(at.column + 1) +
                            ": remove it or quote the value");
    }
    if (docs.starts.size() > 1)
      throw ConfigError(file, docs.starts[1].line + 1, "(file)",
                        "holds more than one YAML document (a second ---): keep one");
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "(syntax)",
                      e.msg + ": fix the YAML syntax");
  }
}

YamlMap::YamlMap(const YAML::Node& node, std::string where, const std::string& file)
    : node_(node), where_(std::move(where)), file_(file) {
  if (!node_.IsMap())
    throw ConfigError(file_, yaml_line(node_), where_.empty() ? "(file)" : where_,
                      "must be a mapping (key: value lines)");
}

std::string YamlMap::field(std::string_view key) const {
  return where_.empty() ? std::string(key) : where_ + "." + std::string(key);
}

YAML::Node YamlMap::take(const char* key) {
  taken_.insert(key);
  return node_[key];
}

std::string YamlMap::text(std::string_view key, const YAML::Node& value) const {
  if (!value.IsScalar()) fail(value, key, "must be text (a single value, not a list or map)");
  return value.Scalar();
}

int YamlMap::integer(std::string_view key, const YAML::Node& value, int lo, int hi) const {
  int v = 0;
  const std::string& s = value.IsScalar() ? value.Scalar() : std::string();
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (!value.IsScalar() || s.empty() || ec != std::errc() || end != s.data() + s.size())
    fail(value, key,
         "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  if (v < lo || v > hi)
    fail(value, key,
         "must be from " + std::to_string(lo) + " to " + std::to_string(hi) + " (got " +
             std::to_string(v) + ")");
  return v;
}

double YamlMap::number(std::string_view key, const YAML::Node& value, double lo, double hi,
                       std::string_view unit) const {
  double v = 0;
  bool ok = false;
  try {
    if (value.IsScalar()) {
      v = value.as<double>();
      ok = std::isfinite(v);
    }
  } catch (const YAML::Exception&) {
  }
  if (!ok || v < lo || v > hi)
    fail(value, key, "must be between " + range_text(lo, hi) + " " + std::string(unit));
  return v;
}

bool YamlMap::boolean(std::string_view key, const YAML::Node& value) const {
  try {
    if (value.IsScalar()) return value.as<bool>();
  } catch (const YAML::Exception&) {
  }
  fail(value, key, "must be true or false");
}

std::string YamlMap::text_or(const char* key, std::string fallback) {
  const YAML::Node value = take(key);
  return present(value) ? text(key, value) : fallback;
}

int YamlMap::integer_or(const char* key, int fallback, int lo, int hi) {
  const YAML::Node value = take(key);
  return present(value) ? integer(key, value, lo, hi) : fallback;
}

double YamlMap::number_or(const char* key, double fallback, double lo, double hi,
                          std::string_view unit) {
  const YAML::Node value = take(key);
  return present(value) ? number(key, value, lo, hi, unit) : fallback;
}

bool YamlMap::boolean_or(const char* key, bool fallback) {
  const YAML::Node value = take(key);
  return present(value) ? boolean(key, value) : fallback;
}

void YamlMap::reject_unknown(const char* known,
                             const std::map<std::string, std::string>& hints) const {
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar())
      throw ConfigError(
          file_, yaml_line(kv.first), field("?"),
          "a key must be a plain name, not a list or map; known keys here: " + std::string(known));
    const std::string& key = kv.first.Scalar();
    if (taken_.count(key)) continue;
    std::string message = "is not a known key; known keys here: " + std::string(known);
    if (auto it = hints.find(key); it != hints.end())
      message = "is not a key of " + (where_.empty() ? std::string("the file") : where_) +
                ": it belongs under " + it->second;
    // An empty key ("": 1) is named as written, not as an empty field.
    throw ConfigError(file_, yaml_line(kv.first), field(key.empty() ? "\"\"" : key), message);
  }
}

void YamlMap::fail(const YAML::Node& at, std::string_view key, const std::string& message) const {
  throw ConfigError(file_, yaml_line(at.IsDefined() ? at : node_), field(key), message);
}

}  // namespace vw::controller
