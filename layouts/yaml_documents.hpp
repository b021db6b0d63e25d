// The guard every YAML reader of the project runs before yaml-cpp builds a document: yaml-cpp 0.7
// loops forever, allocating, on some bad input such as a stray ',' (jbeder/yaml-cpp#1040, fixed
// upstream by #1319): it keeps reporting an empty document at the same place. The documents are
// counted here with a bound and a progress check, so a caller can refuse such input and
// multi-document files before calling YAML::Load. Used by the layout files here and by the
// controller's config and alarm-rules reader (controller/core/yaml_reader.hpp).
//
// Threads: any (pure).
#pragma once

#include <yaml-cpp/mark.h>

#include <optional>
#include <string>
#include <vector>

namespace vw::layouts {

struct YamlDocumentScan {
  std::vector<YAML::Mark> starts;   // where each document starts; at most three are read
  std::optional<YAML::Mark> stuck;  // where the parser stopped making progress
};

// Throws YAML::Exception (with its mark) on a syntax error.
YamlDocumentScan scan_yaml_documents(const std::string& text);

}  // namespace vw::layouts
