// Bad layout files, folders, validation and the library.
#include <gtest/gtest.h>

#include "tests/layouts/layout_test_util.hpp"

namespace vw::layouts {
namespace {

using namespace vw::layouts::testing;

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

// Found by scripts/fuzz.sh layout: a number past long long's range reached a double -> long long
// conversion (undefined behaviour, which the sanitizer build of this test catches).
TEST(LoadErrors, HugeNumbersInAGridOrCellAreNotWholeNumbers) {
  EXPECT_LOAD_ERROR(
      load("name: x\ngrid: {columns: 1e300, rows: 1}\ntiles:\n  - {name: a, rect: [0, 0, 1, 1]}\n"),
      2, "grid.columns", "must be a whole number");
  EXPECT_LOAD_ERROR(
      load("name: x\ngrid: {columns: 6, rows: 6}\ntiles:\n"
           "  - {name: a, cell: [0, 0, 1, 333333333333333333333333333333333333331]}\n"),
      4, "tiles[0].cell", "must be a whole number");
  EXPECT_LOAD_ERROR(load("name: x\ngrid: {columns: 6, rows: 6}\ntiles:\n"
                         "  - {name: a, cell: [-1e19, 0, 1, 1]}\n"),
                    4, "tiles[0].cell", "must be a whole number");
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
