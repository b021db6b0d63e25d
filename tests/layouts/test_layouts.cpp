// Tests for the layouts library: presets, the YAML loader's errors (file, line, field),
// directory loading and the LayoutLibrary.
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

namespace vw::layouts {
namespace {

namespace fs = std::filesystem;

std::string describe(const std::vector<LayoutError>& errors) {
  std::string s;
  for (const auto& e : errors) s += "  " + e.to_string() + "\n";
  return s.empty() ? "  (no errors)\n" : s;
}

LoadResult load(std::string_view yaml) {
  return load_layout_text(yaml, "test.yaml");
}

// True if result has an error at exactly this line and field whose message contains `words`.
bool has_error(const LoadResult& r, int line, const std::string& field, const std::string& words) {
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

double overlap(const Rect& a, const Rect& b) {
  const double w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  const double h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  return (w > 0 && h > 0) ? w * h : 0.0;
}

// Every point of a fine sample grid lies in exactly one tile: the layout covers the wall with
// no gap and no overlap.
void expect_exact_cover(const Layout& layout) {
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

fs::path source_dir() {
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

// ---------------------------------------------------------------- presets

TEST(Presets, NamesTitlesAndOrder) {
  const auto presets = builtin_presets();
  const std::vector<std::string> names = {"1x1", "2x2", "3x3", "4x4", "1+5", "1+7", "1+12", "2+8"};
  const std::vector<std::string> titles = {"单画面",   "四画面",   "九画面",     "十六画面",
                                           "一大五小", "一大七小", "一大十二小", "两大八小"};
  const std::vector<std::size_t> counts = {1, 4, 9, 16, 6, 8, 13, 10};
  ASSERT_EQ(presets.size(), names.size());
  for (std::size_t i = 0; i < presets.size(); ++i) {
    EXPECT_EQ(presets[i].name, names[i]);
    EXPECT_EQ(presets[i].title, titles[i]);
    EXPECT_EQ(presets[i].source, "builtin");
    EXPECT_EQ(presets[i].tiles.size(), counts[i]) << names[i];
    for (std::size_t t = 0; t < presets[i].tiles.size(); ++t) {
      EXPECT_EQ(presets[i].tiles[t].name, std::to_string(t + 1));
    }
  }
}

TEST(Presets, AreValidAndCoverTheWallExactly) {
  for (const Layout& p : builtin_presets()) {
    SCOPED_TRACE(p.name);
    EXPECT_TRUE(validate(p).empty()) << describe(validate(p));
    double area = 0;
    for (std::size_t i = 0; i < p.tiles.size(); ++i) {
      const Rect& r = p.tiles[i].rect;
      area += r.w * r.h;
      EXPECT_GE(r.x, 0.0);
      EXPECT_GE(r.y, 0.0);
      EXPECT_LE(r.x + r.w, 1.0 + 1e-12);
      EXPECT_LE(r.y + r.h, 1.0 + 1e-12);
      for (std::size_t j = 0; j < i; ++j) {
        EXPECT_LE(overlap(r, p.tiles[j].rect), 1e-12) << p.tiles[i].name << " " << p.tiles[j].name;
      }
    }
    EXPECT_NEAR(area, 1.0, 1e-12);
    expect_exact_cover(p);
  }
}

TEST(Presets, BigTilesFirstThenReadingOrder) {
  const auto presets = builtin_presets();
  auto preset = [&](const std::string& name) {
    for (const auto& p : presets)
      if (p.name == name) return p;
    ADD_FAILURE() << "no preset " << name;
    return Layout{};
  };
  auto near = [](const Rect& a, const Rect& b) {
    return std::abs(a.x - b.x) < 1e-12 && std::abs(a.y - b.y) < 1e-12 &&
           std::abs(a.w - b.w) < 1e-12 && std::abs(a.h - b.h) < 1e-12;
  };
  const double third = 1.0 / 3.0;
  EXPECT_TRUE(near(preset("1+5").tiles[0].rect, {0, 0, 2 * third, 2 * third}));
  EXPECT_TRUE(near(preset("1+5").tiles[1].rect, {2 * third, 0, third, third}));
  EXPECT_TRUE(near(preset("1+5").tiles[3].rect, {0, 2 * third, third, third}));
  EXPECT_TRUE(near(preset("1+7").tiles[0].rect, {0, 0, 0.75, 0.75}));
  EXPECT_TRUE(near(preset("1+7").tiles[7].rect, {0.75, 0.75, 0.25, 0.25}));
  EXPECT_TRUE(near(preset("1+12").tiles[0].rect, {0.25, 0.25, 0.5, 0.5}));
  EXPECT_TRUE(near(preset("1+12").tiles[1].rect, {0, 0, 0.25, 0.25}));
  EXPECT_TRUE(near(preset("1+12").tiles[5].rect, {0, 0.25, 0.25, 0.25}));
  EXPECT_TRUE(near(preset("1+12").tiles[6].rect, {0.75, 0.25, 0.25, 0.25}));
  EXPECT_TRUE(near(preset("2+8").tiles[0].rect, {0, 0, 0.5, 0.5}));
  EXPECT_TRUE(near(preset("2+8").tiles[1].rect, {0.5, 0, 0.5, 0.5}));
  EXPECT_TRUE(near(preset("2+8").tiles[2].rect, {0, 0.5, 0.25, 0.25}));
  EXPECT_TRUE(near(preset("2+8").tiles[9].rect, {0.75, 0.75, 0.25, 0.25}));
  // Small tiles follow the big ones in reading order: by row, then by column.
  for (const auto& p : presets) {
    for (std::size_t i = 2; i < p.tiles.size(); ++i) {
      const Rect& a = p.tiles[i - 1].rect;
      const Rect& b = p.tiles[i].rect;
      if (a.w * a.h > b.w * b.h + 1e-12) continue;  // the big-to-small step
      EXPECT_TRUE(a.y < b.y - 1e-12 || (std::abs(a.y - b.y) < 1e-12 && a.x < b.x))
          << p.name << " tile " << p.tiles[i].name;
    }
  }
}

TEST(Presets, NeighbouringTilesShareExactEdges) {
  // 3x3: thirds are not exact in binary, so edges must come from i/3, not from summing widths.
  const Layout p = builtin_presets()[2];
  EXPECT_EQ(p.tiles[0].rect.x + p.tiles[0].rect.w, p.tiles[1].rect.x);
  EXPECT_EQ(p.tiles[1].rect.x + p.tiles[1].rect.w, p.tiles[2].rect.x);
  EXPECT_EQ(p.tiles[2].rect.x + p.tiles[2].rect.w, 1.0);
  EXPECT_EQ(p.tiles[0].rect.y + p.tiles[0].rect.h, p.tiles[3].rect.y);
}

// ---------------------------------------------------------------- good files

TEST(LoadText, FullExample) {
  const auto r = load(R"(name: command-desk        # required
title: 指挥调度
tiles:
  - name: main
    rect: [0, 0, 0.75, 0.75]
  - {name: s1, rect: [0.75, 0, 0.25, 0.25]}
  - name: s2
    rect:
      - 0.75
      - +0.25
      - .25
      - 25e-2
)");
  ASSERT_TRUE(r.errors.empty()) << describe(r.errors);
  ASSERT_EQ(r.layouts.size(), 1u);
  ASSERT_EQ(r.name_lines, std::vector<int>{1});
  const Layout& l = r.layouts[0];
  EXPECT_EQ(l.name, "command-desk");
  EXPECT_EQ(l.title, "指挥调度");
  EXPECT_EQ(l.source, "test.yaml");
  ASSERT_EQ(l.tiles.size(), 3u);
  EXPECT_EQ(l.tiles[0].name, "main");
  EXPECT_EQ(l.tiles[0].rect, (Rect{0, 0, 0.75, 0.75}));
  EXPECT_EQ(l.tiles[1].rect, (Rect{0.75, 0, 0.25, 0.25}));
  EXPECT_EQ(l.tiles[2].rect, (Rect{0.75, 0.25, 0.25, 0.25}));
  EXPECT_EQ(tile_index(l, "s1"), 1);
  EXPECT_EQ(tile_index(l, "main"), 0);
  EXPECT_EQ(tile_index(l, "nope"), -1);
}

TEST(LoadText, TitleDefaultsToName) {
  const auto r = load(kGood);
  ASSERT_EQ(r.layouts.size(), 1u) << describe(r.errors);
  EXPECT_EQ(r.layouts[0].title, "good");
}

TEST(LoadText, TilesThatOnlyTouchAndSumRoundOffAreFine) {
  // 0.1 + 0.2 is not exactly 0.3 in binary; the 1e-9 tolerance absorbs it.
  const auto r = load(R"(name: touch
tiles:
  - {name: a, rect: [0, 0, 0.1, 1]}
  - {name: b, rect: [0.1, 0, 0.2, 1]}
  - {name: c, rect: [0.3, 0, 0.7, 1]}
  - {name: d, rect: [0.7, 0, 0.30000000001, 0.5]}
)");
  // d overlaps c, but a/b/c only touch and c ends at 0.3 + 0.7 = 1 with round-off.
  ASSERT_EQ(r.errors.size(), 1u) << describe(r.errors);
  EXPECT_EQ(r.errors[0].field, "tiles[3].rect");
  EXPECT_NE(r.errors[0].message.find("\"c\""), std::string::npos);
}

TEST(LoadText, GridShorthand) {
  const auto r = load(R"(name: grid
grid: {columns: 4, rows: 3}
tiles:
  - {name: big, cell: [1, 0, 2, 2]}
  - {name: corner, cell: [3, 2, 1, 1]}
  - {name: free, rect: [0, 0, 0.25, 0.5]}
)");
  ASSERT_TRUE(r.errors.empty()) << describe(r.errors);
  ASSERT_EQ(r.layouts.size(), 1u);
  const auto& t = r.layouts[0].tiles;
  EXPECT_DOUBLE_EQ(t[0].rect.x, 0.25);
  EXPECT_DOUBLE_EQ(t[0].rect.y, 0.0);
  EXPECT_DOUBLE_EQ(t[0].rect.w, 0.5);
  EXPECT_DOUBLE_EQ(t[0].rect.h, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(t[1].rect.x, 0.75);
  EXPECT_DOUBLE_EQ(t[1].rect.y, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(t[1].rect.w, 0.25);
  EXPECT_DOUBLE_EQ(t[1].rect.h + t[1].rect.y, 1.0);
  EXPECT_EQ(t[2].rect, (Rect{0, 0, 0.25, 0.5}));
}

// ---------------------------------------------------------------- bad files, one rule each

TEST(LoadErrors, SyntaxError) {
  const auto r = load("name: x\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]\n  - {name: b}\n");
  ASSERT_EQ(r.errors.size(), 1u) << describe(r.errors);
  EXPECT_TRUE(r.layouts.empty());
  EXPECT_EQ(r.errors[0].file, "test.yaml");
  EXPECT_GE(r.errors[0].line, 3);
  EXPECT_NE(r.errors[0].message.find("YAML syntax error"), std::string::npos);

  EXPECT_LOAD_ERROR(load("name: x\ntiles: a: b\n"), 2, "", "YAML syntax error");
  // yaml-cpp 0.7's LoadAll never returns on these (it loops, allocating): must be an error.
  EXPECT_LOAD_ERROR(load(",\n"), 1, "", "unexpected ','");
  EXPECT_LOAD_ERROR(load("# comment\n, x\nname: a\n"), 2, "", "unexpected ','");
  EXPECT_LOAD_ERROR(load(std::string(kGood) + "---\n,\n"), 4, "", "more than one YAML document");
}

TEST(LoadErrors, EmptyFileAndWrongTopLevel) {
  EXPECT_LOAD_ERROR(load(""), 1, "", "empty");
  EXPECT_LOAD_ERROR(load("# only a comment\n"), 1, "", "empty");
  EXPECT_LOAD_ERROR(load("- name: x\n"), 1, "", "top level must be a mapping");
  EXPECT_LOAD_ERROR(load(std::string(kGood) + "---\n" + kGood), 4, "", "file of its own");
}

TEST(LoadErrors, MissingOrEmptyName) {
  EXPECT_LOAD_ERROR(load("title: t\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n"), 1, "name",
                    "missing required key 'name'");
  EXPECT_LOAD_ERROR(load("name:\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n"), 1, "name", "empty");
  EXPECT_LOAD_ERROR(load("tiles:\n  - {name: a, rect: [0, 0, 1, 1]}\nname: \"\"\n"), 3, "name",
                    "empty");
  EXPECT_LOAD_ERROR(load("name: [a, b]\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n"), 1, "name",
                    "must be text");
}

TEST(LoadErrors, TileNameMissingOrEmpty) {
  const auto r = load(R"(name: x
tiles:
  - {name: a, rect: [0, 0, 0.5, 1]}
  - rect: [0.5, 0, 0.25, 1]
  - name: ""
    rect: [0.75, 0, 0.25, 1]
)");
  EXPECT_LOAD_ERROR(r, 4, "tiles[1].name", "missing required key 'name'");
  EXPECT_LOAD_ERROR(r, 5, "tiles[2].name", "empty");
  EXPECT_EQ(r.errors.size(), 2u) << describe(r.errors);
}

TEST(LoadErrors, RectNotFourNumbers) {
  const auto r = load(R"(name: x
tiles:
  - {name: a, rect: [0, 0, 1]}
  - {name: b, rect: 0.5}
  - {name: c, rect: [0, 0, abc, 1]}
  - {name: d, rect: [0, 0, "0.5", 1]}
  - {name: e, rect: [0, 0, nan, 1]}
  - {name: f, rect: [0, [1], 1, 1]}
  - name: g
    rect:
      - 0
      - 0
      - 1
  - {name: h}
)");
  EXPECT_LOAD_ERROR(r, 3, "tiles[0].rect", "got 3 values");
  EXPECT_LOAD_ERROR(r, 4, "tiles[1].rect", "got no list");
  EXPECT_LOAD_ERROR(r, 5, "tiles[2].rect", "w = 'abc' is not a number");
  EXPECT_LOAD_ERROR(r, 6, "tiles[3].rect", "quoted");
  EXPECT_LOAD_ERROR(r, 7, "tiles[4].rect", "finite");
  EXPECT_LOAD_ERROR(r, 8, "tiles[5].rect", "y must be a number");
  EXPECT_LOAD_ERROR(r, 10, "tiles[6].rect", "got 3 values");
  EXPECT_LOAD_ERROR(r, 14, "tiles[7]", "add `rect: [x, y, w, h]`");
  EXPECT_EQ(r.errors.size(), 8u) << describe(r.errors);  // no geometry noise from broken rects
}

TEST(LoadErrors, NonPositiveSize) {
  const auto r = load(R"(name: x
tiles:
  - {name: a, rect: [0, 0, 0, 0.5]}
  - {name: b, rect: [0, 0.5, 0.5, -0.1]}
)");
  EXPECT_LOAD_ERROR(r, 3, "tiles[0].rect", "w = 0 must be greater than 0");
  EXPECT_LOAD_ERROR(r, 4, "tiles[1].rect", "h = -0.1 must be greater than 0");
  EXPECT_EQ(r.errors.size(), 2u) << describe(r.errors);
}

TEST(LoadErrors, OutsideTheWall) {
  const auto r = load(R"(name: x
tiles:
  - {name: a, rect: [-0.1, 0, 0.5, 0.5]}
  - {name: b, rect: [0.5, -0.2, 0.5, 0.2]}
  - {name: c, rect: [0.8, 0.5, 0.4, 0.25]}
  - {name: d, rect: [0, 0.75, 0.5, 0.3]}
  - {name: e, rect: [0.5, 0.5, 0.5, 0.5000000000001]}
)");
  EXPECT_LOAD_ERROR(r, 3, "tiles[0].rect", "x = -0.1 is left of the wall");
  EXPECT_LOAD_ERROR(r, 4, "tiles[1].rect", "y = -0.2 is above the wall");
  EXPECT_LOAD_ERROR(r, 5, "tiles[2].rect", "x+w = 1.2 is past the right edge");
  EXPECT_LOAD_ERROR(r, 6, "tiles[3].rect", "y+h = 1.05 is past the bottom edge");
  // e ends 1e-13 past the bottom edge: within the tolerance, so no error.
  EXPECT_EQ(r.errors.size(), 4u) << describe(r.errors);
}

TEST(LoadErrors, OverlapNamesBothTiles) {
  const auto r = load(R"(name: x
tiles:
  - {name: main, rect: [0, 0, 0.75, 0.75]}
  - {name: s1, rect: [0.75, 0, 0.25, 0.25]}
  - name: s2
    rect: [0.5, 0.5, 0.5, 0.5]
)");
  EXPECT_LOAD_ERROR(r, 6, "tiles[2].rect", "tile \"s2\" overlaps tile \"main\" (tiles[0], line 3)");
  EXPECT_EQ(r.errors.size(), 1u) << describe(r.errors);
  EXPECT_NE(r.errors[0].message.find("area 0.0625"), std::string::npos) << r.errors[0].message;
}

TEST(LoadErrors, DuplicateTileNames) {
  const auto r = load(R"(name: x
tiles:
  - {name: a, rect: [0, 0, 0.5, 1]}
  - {name: a, rect: [0.5, 0, 0.5, 1]}
)");
  EXPECT_LOAD_ERROR(r, 4, "tiles[1].name", "\"a\" is already used by tiles[0], line 3");
  EXPECT_EQ(r.errors.size(), 1u) << describe(r.errors);
}

TEST(LoadErrors, TooManyTiles) {
  std::string text = "name: many\ntiles:\n";
  for (int i = 0; i < kMaxTiles + 1; ++i) {
    text += "  - {name: t" + std::to_string(i) + ", rect: [" + std::to_string(i / 100.0) +
            ", 0, 0.01, 1]}\n";
  }
  const auto r = load(text);
  EXPECT_LOAD_ERROR(r, 2, "tiles", "65 tiles; at most 64");
  EXPECT_EQ(r.errors.size(), 1u) << describe(r.errors);

  // Exactly kMaxTiles is fine.
  std::string ok = "name: max\ngrid: {columns: 8, rows: 8}\ntiles:\n";
  for (int i = 0; i < kMaxTiles; ++i) {
    ok += "  - {name: t" + std::to_string(i) + ", cell: [" + std::to_string(i % 8) + ", " +
          std::to_string(i / 8) + ", 1, 1]}\n";
  }
  const auto good = load(ok);
  EXPECT_TRUE(good.errors.empty()) << describe(good.errors);
  ASSERT_EQ(good.layouts.size(), 1u);
  expect_exact_cover(good.layouts[0]);
}

TEST(LoadErrors, ZeroOrMissingTiles) {
  EXPECT_LOAD_ERROR(load("name: x\ntiles: []\n"), 2, "tiles", "no tiles");
  EXPECT_LOAD_ERROR(load("name: x\ntiles:\n"), 2, "tiles", "no tiles");
  EXPECT_LOAD_ERROR(load("name: x\ntitle: y\n"), 1, "tiles", "missing required key 'tiles'");
}

TEST(LoadErrors, UnknownKeys) {
  const auto r = load(R"(name: x
tittle: typo
tiles:
  - {name: a, rect: [0, 0, 1, 1], camera: cam-7}
)");
  EXPECT_LOAD_ERROR(r, 2, "tittle", "unknown key 'tittle'");
  EXPECT_LOAD_ERROR(r, 4, "tiles[0].camera",
                    "unknown key 'camera'; allowed here: name, rect, cell");
  EXPECT_EQ(r.errors.size(), 2u) << describe(r.errors);
  EXPECT_LOAD_ERROR(load("name: x\ngrid: {columns: 2, rows: 2, gap: 1}\ntiles:\n"
                         "  - {name: a, cell: [0, 0, 2, 2]}\n"),
                    2, "grid.gap", "unknown key 'gap'");
}

TEST(LoadErrors, DuplicateKeys) {
  EXPECT_LOAD_ERROR(load("name: x\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\nname: y\n"), 4,
                    "name", "appears twice (first on line 1)");
}

TEST(LoadErrors, WrongTypes) {
  EXPECT_LOAD_ERROR(load("name: x\ntiles: {name: a}\n"), 2, "tiles", "must be a list");
  EXPECT_LOAD_ERROR(load("name: x\ntiles:\n  - a\n"), 3, "tiles[0]", "must be a mapping");
  EXPECT_LOAD_ERROR(load("name: x\ntitle: [a]\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n"), 2,
                    "title", "must be text");
  EXPECT_LOAD_ERROR(load("name: x\ngrid: [4, 4]\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n"), 2,
                    "grid", "grid must be a mapping");
  EXPECT_LOAD_ERROR(load("name: x\ngrid: {columns: four, rows: 4}\ntiles:\n"
                         "  - {name: a, rect: [0, 0, 1, 1]}\n"),
                    2, "grid.columns", "not a number");
  EXPECT_LOAD_ERROR(load("name: x\ngrid:\n  columns: 2.5\n  rows: 0\ntiles:\n"
                         "  - {name: a, rect: [0, 0, 1, 1]}\n"),
                    3, "grid.columns", "whole number");
  EXPECT_LOAD_ERROR(load("name: x\ngrid:\n  columns: 2\n  rows: 0\ntiles:\n"
                         "  - {name: a, rect: [0, 0, 1, 1]}\n"),
                    4, "grid.rows", "between 1 and");
  EXPECT_LOAD_ERROR(
      load("name: x\ngrid: {columns: 2}\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n"), 2,
      "grid.rows", "missing required key 'rows'");
}

TEST(LoadErrors, CellRules) {
  const auto r = load(R"(name: x
grid: {columns: 4, rows: 4}
tiles:
  - {name: a, cell: [3, 0, 2, 1]}
  - {name: b, cell: [0, 3, 1, 2]}
  - {name: c, cell: [-1, 0, 0, 1]}
  - {name: d, cell: [0, 0, 1.5, 1]}
  - {name: e, cell: [0, 0, 1, 1], rect: [0, 0, 0.25, 0.25]}
  - {name: f, cell: [0, 0]}
)");
  EXPECT_LOAD_ERROR(r, 4, "tiles[0].cell", "column + column_span = 5 is past the grid's 4 columns");
  EXPECT_LOAD_ERROR(r, 5, "tiles[1].cell", "row + row_span = 5 is past the grid's 4 rows");
  EXPECT_LOAD_ERROR(r, 6, "tiles[2].cell", "column = -1 must be >= 0");
  EXPECT_LOAD_ERROR(r, 6, "tiles[2].cell", "column_span = 0 must be >= 1");
  EXPECT_LOAD_ERROR(r, 7, "tiles[3].cell", "whole number");
  EXPECT_LOAD_ERROR(r, 8, "tiles[4]", "either rect or cell, not both");
  EXPECT_LOAD_ERROR(r, 9, "tiles[5].cell", "got 2 values");
  EXPECT_EQ(r.errors.size(), 7u) << describe(r.errors);

  EXPECT_LOAD_ERROR(load("name: x\ntiles:\n  - {name: a, cell: [0, 0, 1, 1]}\n"), 3,
                    "tiles[0].cell", "cell needs a top-level grid");
}

TEST(LoadErrors, CellOverlapIsReportedOnTheCell) {
  const auto r = load(R"(name: x
grid: {columns: 2, rows: 2}
tiles:
  - {name: big, cell: [0, 0, 2, 2]}
  - {name: small, cell: [1, 1, 1, 1]}
)");
  EXPECT_LOAD_ERROR(r, 5, "tiles[1].cell", "overlaps tile \"big\"");
}

TEST(LoadErrors, ReportsAllErrorsNotJustTheFirst) {
  const auto r = load(R"(title: no name
extra: 1
tiles:
  - {name: a, rect: [0, 0, 0.6, 1]}
  - {name: a, rect: [0.5, 0, 0.6, 1]}
  - {name: c, rect: [0, 0, 0, 1]}
)");
  EXPECT_LOAD_ERROR(r, 1, "name", "missing");
  EXPECT_LOAD_ERROR(r, 2, "extra", "unknown key");
  EXPECT_LOAD_ERROR(r, 5, "tiles[1].name", "already used");
  EXPECT_LOAD_ERROR(r, 5, "tiles[1].rect", "x+w = 1.1");
  EXPECT_LOAD_ERROR(r, 6, "tiles[2].rect", "w = 0");
  EXPECT_EQ(r.errors.size(), 5u) << describe(
      r.errors);  // tiles[1] is out of bounds: no overlap test
  for (const auto& e : r.errors) EXPECT_EQ(e.file, "test.yaml");
}

// ---------------------------------------------------------------- files and folders

TEST(LoadFile, BadFileOnDiskReportsPathAndLine) {
  TempDir dir;
  const std::string path =
      dir.write("bad.yaml", "name: bad\ntiles:\n  - {name: a, rect: [0, 0, 2, 1]}\n");
  const auto r = load_layout_file(path);
  EXPECT_LOAD_ERROR(r, 3, "tiles[0].rect", "x+w = 2");
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors[0].file, path);
  EXPECT_EQ(
      r.errors[0].to_string(),
      path + ":3: tiles[0].rect: tile \"a\": x+w = 2 is past the right edge (1); reduce x or w");
}

TEST(LoadFile, MissingFile) {
  const auto r = load_layout_file("/nonexistent/vw/layout.yaml");
  EXPECT_LOAD_ERROR(r, 0, "", "cannot open");
  EXPECT_EQ(r.errors.at(0).file, "/nonexistent/vw/layout.yaml");
  TempDir dir;
  EXPECT_LOAD_ERROR(load_layout_file(dir.str()), 0, "", "folder");
}

TEST(LoadDir, OneBadFileDoesNotStopTheOthers) {
  TempDir dir;
  dir.write("b-good.yml", kGood);
  const std::string bad =
      dir.write("a-bad.yaml", "name: bad\ntiles:\n  - {name: a, rect: [0, 0, 1]}\n");
  dir.write("c-second.yaml", "name: second\ntiles:\n  - {name: x, rect: [0, 0, 1, 1]}\n");
  dir.write("notes.txt", "not a layout");
  dir.write(".hidden.yaml", "garbage: [");
  fs::create_directory(fs::path(dir.str()) / "sub.yaml");
  const auto r = load_layout_dir(dir.str());
  ASSERT_EQ(r.layouts.size(), 2u) << describe(r.errors);
  EXPECT_EQ(r.layouts[0].name, "good");  // sorted by file name
  EXPECT_EQ(r.layouts[1].name, "second");
  EXPECT_EQ(r.layouts[0].source, (fs::path(dir.str()) / "b-good.yml").string());
  EXPECT_EQ(r.name_lines, (std::vector<int>{1, 1}));
  ASSERT_EQ(r.errors.size(), 1u) << describe(r.errors);
  EXPECT_EQ(r.errors[0].file, bad);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].field, "tiles[0].rect");
}

TEST(LoadDir, MissingFolderIsAnError) {
  const auto r = load_layout_dir("/nonexistent/vw/layouts");
  EXPECT_LOAD_ERROR(r, 0, "", "cannot read the layout folder");
}

TEST(LoadDir, ShippedExamplesLoadClean) {
  const auto r = load_layout_dir((source_dir() / "assets" / "layouts").string());
  EXPECT_TRUE(r.errors.empty()) << describe(r.errors);
  ASSERT_GE(r.layouts.size(), 2u);
  for (const Layout& l : r.layouts) {
    EXPECT_TRUE(validate(l).empty()) << describe(validate(l));
    if (l.name == "command-desk") {
      EXPECT_EQ(l.title, "指挥调度");
      expect_exact_cover(l);
    }
    if (l.name == "ring-6x6") {
      EXPECT_EQ(l.tiles.size(), 21u);
      EXPECT_DOUBLE_EQ(l.tiles[0].rect.w, 4.0 / 6.0);
      expect_exact_cover(l);
    }
  }
}

// ---------------------------------------------------------------- validate()

TEST(Validate, HandBuiltLayout) {
  Layout l{"", "t", {{"", {0, 0, 0.5, 1}}, {"b", {0.5, 0, 0.6, 1}}}, "code"};
  const auto errors = validate(l);
  ASSERT_EQ(errors.size(), 3u) << describe(errors);
  EXPECT_EQ(errors[0].field, "name");
  EXPECT_EQ(errors[1].field, "tiles[0].name");
  EXPECT_EQ(errors[2].field, "tiles[1].rect");
  for (const auto& e : errors) {
    EXPECT_EQ(e.file, "code");
    EXPECT_EQ(e.line, 0);
  }
  EXPECT_EQ(errors[2].to_string(),
            "code: tiles[1].rect: tile \"b\": x+w = 1.1 is past the right edge (1); reduce x or w");
  EXPECT_FALSE(validate(Layout{"n", "t", {}, "code"}).empty());
}

TEST(Validate, NonFiniteRect) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto errors = validate(Layout{"n", "t", {{"a", {0, 0, nan, 1}}}, "code"});
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_NE(errors[0].message.find("finite"), std::string::npos);
}

TEST(LayoutErrorFormat, OmitsMissingParts) {
  EXPECT_EQ((LayoutError{"f.yaml", 12, "tiles[3].rect", "m"}).to_string(),
            "f.yaml:12: tiles[3].rect: m");
  EXPECT_EQ((LayoutError{"f.yaml", 0, "", "m"}).to_string(), "f.yaml: m");
}

// ---------------------------------------------------------------- LayoutLibrary

TEST(Library, HoldsPresetsAndFindsByName) {
  LayoutLibrary lib;
  EXPECT_EQ(lib.names(),
            (std::vector<std::string>{"1x1", "2x2", "3x3", "4x4", "1+5", "1+7", "1+12", "2+8"}));
  ASSERT_NE(lib.find("3x3"), nullptr);
  EXPECT_EQ(lib.find("3x3")->tiles.size(), 9u);
  EXPECT_EQ(lib.find("nope"), nullptr);
  EXPECT_EQ(lib.all().size(), 8u);
}

TEST(Library, CustomAfterPresetsAndClashesNameBothFiles) {
  TempDir dir;
  const std::string first =
      dir.write("a.yaml", "name: desk\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n");
  const std::string second =
      dir.write("b.yaml", "\nname: desk\ntiles:\n  - {name: z, rect: [0, 0, 1, 1]}\n");
  const std::string clash =
      dir.write("c.yaml", "name: 3x3\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n");
  dir.write("d.yaml", "name: zz\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n");

  LayoutLibrary lib;
  const auto errors = lib.add_dir(dir.str());
  ASSERT_EQ(errors.size(), 2u) << describe(errors);
  EXPECT_EQ(errors[0].file, second);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].field, "name");
  EXPECT_NE(errors[0].message.find(first + ":1"), std::string::npos) << errors[0].message;
  EXPECT_EQ(errors[1].file, clash);
  EXPECT_NE(errors[1].message.find("built-in preset"), std::string::npos) << errors[1].message;

  const auto names = lib.names();
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names[8], "desk");
  EXPECT_EQ(names[9], "zz");
  EXPECT_EQ(lib.find("desk")->tiles[0].name, "a");  // the first file wins
  EXPECT_EQ(lib.find("3x3")->source, "builtin");

  // A second folder clashing with the first one.
  TempDir other_dir;
  other_dir.write("x.yaml", "name: zz\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n");
  const auto more = lib.add_dir(other_dir.str());
  ASSERT_EQ(more.size(), 1u) << describe(more);
  EXPECT_NE(more[0].message.find("d.yaml:1"), std::string::npos) << more[0].message;
  EXPECT_EQ(lib.all().size(), 10u);
}

TEST(Library, LoadsShippedExamples) {
  LayoutLibrary lib;
  const auto errors = lib.add_dir((source_dir() / "assets" / "layouts").string());
  EXPECT_TRUE(errors.empty()) << describe(errors);
  ASSERT_NE(lib.find("command-desk"), nullptr);
  ASSERT_NE(lib.find("ring-6x6"), nullptr);
  EXPECT_EQ(tile_index(*lib.find("ring-6x6"), "centre"), 0);
  EXPECT_EQ(lib.names().front(), "1x1");
}

}  // namespace
}  // namespace vw::layouts
