// Presets and well-formed layout files.
#include <gtest/gtest.h>

#include "tests/layouts/layout_test_util.hpp"

namespace vw::layouts {
namespace {

using namespace vw::layouts::testing;

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

}  // namespace
}  // namespace vw::layouts
