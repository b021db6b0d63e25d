#include "layouts/yaml_documents.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

namespace vw::layouts {

YamlDocumentScan scan_yaml_documents(const std::string& text) {
  struct Starts : YAML::EventHandler {
    std::vector<YAML::Mark> marks;
    void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } handler;
  std::istringstream in(text);
  YAML::Parser parser(in);
  YamlDocumentScan scan;
  while (handler.marks.size() < 3 && parser.HandleNextDocument(handler)) {
    const auto& m = handler.marks;
    if (m.size() > 1 && m[m.size() - 1].pos == m[m.size() - 2].pos) {
      scan.stuck = m.back();
      break;
    }
  }
  scan.starts = std::move(handler.marks);
  return scan;
}

}  // namespace vw::layouts
