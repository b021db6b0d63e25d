// Helpers shared by the layout tests: error matching, exact-cover checks, temp folders.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "layouts/layout.hpp"

namespace vw::layouts::testing {

namespace fs = std::filesystem;

inline std::string describe(const std::vector<LayoutError>& errors) {
  std::string s;
  for (const auto& e : errors) s += "  " + e.to_string() + "\n";
  return s.empty() ? "  (no errors)\n" : s;
}

inline LoadResult load(std::string_view yaml) {
  return load_layout_text(yaml, "test.yaml");
}

// True if result has an error at exactly this line and field whose message contains `words`.
inline bool has_error(const LoadResult& r, int line, const std::string& field,
                      const std::string& words) {
  return std::any_of(r.errors.begin(), r.errors.end(), [&](const LayoutError& e) {
    return e.line == line && e.field == field && e.message.find(words) != std::string::npos;
  });
}

// A bad file: no layout, and the expected error among its errors.
#define EXPECT_LOAD_ERROR(result, line, field, words)                                         \
  do {                                                                                        \
    const LoadResult& r_ = (result);                                                          \
    EXPECT_TRUE(r_.layouts.empty());                                                          \
    EXPECT_TRUE(has_error(r_, line, field, words))                                            \
        << "wanted line " << (line) << " field '" << (field) << "' message with '" << (words) \
        << "', got:\n"                                                                        \
        << describe(r_.errors);                                                               \
  } while (0)

inline double overlap(const Rect& a, const Rect& b) {
  const double w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  const double h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  return (w > 0 && h > 0) ? w * h : 0.0;
}

// Every point of a fine sample grid lies in exactly one tile: the layout covers the wall with
// no gap and no overlap.
inline void expect_exact_cover(const Layout& layout) {
  constexpr int kSamples = 48;  // a multiple of 3 and 4, sampled at cell centres
  for (int sy = 0; sy < kSamples; ++sy) {
    for (int sx = 0; sx < kSamples; ++sx) {
      const double px = (sx + 0.5) / kSamples, py = (sy + 0.5) / kSamples;
      int hits = 0;
      for (const Tile& t : layout.tiles) {
        if (px > t.rect.x && px < t.rect.x + t.rect.w && py > t.rect.y && py < t.rect.y + t.rect.h)
          ++hits;
      }
      EXPECT_EQ(hits, 1) << layout.name << " at (" << px << ", " << py << ")";
    }
  }
}

inline fs::path source_dir() {
  if (const char* env = std::getenv("VIDEOWALL_SOURCE_DIR"); env != nullptr && *env != '\0')
    return env;
  return VIDEOWALL_SOURCE_DIR_DEFAULT;
}

// A fresh directory under the system temp dir, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("vw_layouts_" + std::to_string(::getpid()) + "_" +
                                         info->test_suite_name() + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

constexpr const char* kGood = R"(name: good
tiles:
  - {name: a, rect: [0, 0, 1, 1]}
)";

}  // namespace vw::layouts::testing
