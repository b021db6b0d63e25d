// Helpers of the audit tests (test_audit_log.cpp, test_audit_trail.cpp): files in a temp folder
// of the test's own, and one entry of each kind.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "controller/persist/audit_log.hpp"
#include "controller/persist/audit_trail.hpp"

namespace vw::controller {

namespace fs = std::filesystem;

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_file(path, text);
}

inline AuditEntry entry(int i) {
  AuditEntry e;
  e.origin = Origin{"curve:sha256:1a2b3c4d5e6f7a8b", "应急指挥席", "operator"};
  e.command = "layout.set";
  e.args = {{"layout", "2x2"}, {"i", i}};
  e.ok = true;
  e.changed = true;
  e.state_version = std::uint64_t(40 + i);
  return e;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vw-audit-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (fs::path(dir_) / "audit.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void append_n(int n, AuditOptions options) {
    AuditLog log(std::move(options));
    for (int i = 0; i < n; ++i) log.append(entry(i));
    EXPECT_EQ(log.write_errors(), 0u);
  }
  AuditOptions options() const { return AuditOptions{path_, 0, 10}; }

  std::string dir_;
  std::string path_;
};

}  // namespace vw::controller
