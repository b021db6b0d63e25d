// The operator panel's pure parts: pinyin initials from GB2312 order and camera search (the
// stream table's rows and order: test_stream_table.cpp).
#include <gtest/gtest.h>
#include <iconv.h>

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/panel/camera_search.hpp"
#include "tests/controller/panel_cameras.hpp"

namespace vw::controller::panel {
namespace {

using streams::StreamChannel;
using streams::StreamState;

// ---- pinyin_initials ---------------------------------------------------------------------------

TEST(PinyinInitials, DistrictStreets) {
  EXPECT_EQ(pinyin_initials("民族街"), "mzj");     // min zu jie
  EXPECT_EQ(pinyin_initials("花楼街"), "hlj");     // hua lou jie
  EXPECT_EQ(pinyin_initials("水塔街"), "stj");     // shui ta jie
  EXPECT_EQ(pinyin_initials("民权街"), "mqj");     // min quan jie
  EXPECT_EQ(pinyin_initials("满春街"), "mcj");     // man chun jie
  EXPECT_EQ(pinyin_initials("民意街"), "myj");     // min yi jie
  EXPECT_EQ(pinyin_initials("新华街"), "xhj");     // xin hua jie
  EXPECT_EQ(pinyin_initials("万松街"), "wsj");     // wan song jie
  EXPECT_EQ(pinyin_initials("唐家墩街"), "tjdj");  // tang jia dun jie
  EXPECT_EQ(pinyin_initials("北湖街"), "bhj");     // bei hu jie
  EXPECT_EQ(pinyin_initials("前进街"), "qjj");     // qian jin jie
  EXPECT_EQ(pinyin_initials("常青街"), "cqj");     // chang qing jie
  EXPECT_EQ(pinyin_initials("汉兴街"), "hxj");     // han xing jie
}

// The first level-1 character of each initial, with its GB2312 code, and the character just
// before it (the last one of the previous initial).
struct Boundary {
  const char* first;
  std::uint16_t code;
  const char* letter;
  const char* previous;  // nullptr for 啊, the first level-1 character
  const char* previous_letter;
};
constexpr std::array<Boundary, 23> kBoundaries{{
    {"啊", 0xB0A1, "a", nullptr, nullptr},  // a
    {"芭", 0xB0C5, "b", "澳", "a"},         // ba / ao
    {"擦", 0xB2C1, "c", "怖", "b"},         // ca / bu
    {"搭", 0xB4EE, "d", "错", "c"},         // da / cuo
    {"蛾", 0xB6EA, "e", "堕", "d"},         // e / duo
    {"发", 0xB7A2, "f", "贰", "e"},         // fa / er
    {"噶", 0xB8C1, "g", "咐", "f"},         // ga / fu
    {"哈", 0xB9FE, "h", "过", "g"},         // ha / guo
    {"击", 0xBBF7, "j", "祸", "h"},         // ji / huo
    {"喀", 0xBFA6, "k", "骏", "j"},         // ka / jun
    {"垃", 0xC0AC, "l", "阔", "k"},         // la / kuo
    {"妈", 0xC2E8, "m", "络", "l"},         // ma / luo
    {"拿", 0xC4C3, "n", "穆", "m"},         // na / mu
    {"哦", 0xC5B6, "o", "诺", "n"},         // o / nuo
    {"啪", 0xC5BE, "p", "沤", "o"},         // pa / ou
    {"期", 0xC6DA, "q", "瀑", "p"},         // qi / pu
    {"然", 0xC8BB, "r", "群", "q"},         // ran / qun
    {"撒", 0xC8F6, "s", "弱", "r"},         // sa / ruo
    {"塌", 0xCBFA, "t", "所", "s"},         // ta / suo
    {"挖", 0xCDDA, "w", "唾", "t"},         // wa / tuo
    {"昔", 0xCEF4, "x", "误", "w"},         // xi / wu
    {"压", 0xD1B9, "y", "迅", "x"},         // ya / xun
    {"匝", 0xD4D1, "z", "孕", "y"},         // za / yun
}};

// The character's GB2312 code through iconv, independently of the code under test.
std::uint16_t gb2312_code(const std::string& utf8) {
  iconv_t cd = iconv_open("GB2312", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return 0;
  std::string in_copy = utf8;
  char* in = in_copy.data();
  std::size_t in_left = in_copy.size();
  char out[8] = {};
  char* out_ptr = out;
  std::size_t out_left = sizeof out;
  const std::size_t r = iconv(cd, &in, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (r == static_cast<std::size_t>(-1) || sizeof out - out_left != 2) return 0;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(out[0]) << 8) |
                                    static_cast<unsigned char>(out[1]));
}

// The code before `code` in GB2312's 94x94 grid (cells 0xA1..0xFE of each row).
std::uint16_t previous_code(std::uint16_t code) {
  if ((code & 0xFF) == 0xA1) return static_cast<std::uint16_t>(code - 0x100 + (0xFE - 0xA1));
  return static_cast<std::uint16_t>(code - 1);
}

TEST(PinyinInitials, BoundaryCharactersSitWhereTheTableSays) {
  for (const auto& b : kBoundaries) {
    SCOPED_TRACE(b.first);
    EXPECT_EQ(gb2312_code(b.first), b.code);
    if (b.previous) {
      EXPECT_EQ(gb2312_code(b.previous), previous_code(b.code));
    }
  }
}

TEST(PinyinInitials, EachInitialStartsExactlyAtItsBoundary) {
  for (const auto& b : kBoundaries) {
    SCOPED_TRACE(b.first);
    EXPECT_EQ(pinyin_initials(b.first), b.letter);
    if (b.previous) {
      EXPECT_EQ(pinyin_initials(b.previous), b.previous_letter);
    }
  }
  // Second character of some initials, and the last level-1 character (座 zuo, 0xD7F9).
  EXPECT_EQ(pinyin_initials("阿"), "a");
  EXPECT_EQ(pinyin_initials("贰"), "e");
  EXPECT_EQ(pinyin_initials("骸"), "h");  // 0xBAA1, across a row break
  EXPECT_EQ(pinyin_initials("座"), "z");
}

TEST(PinyinInitials, CharactersOutsideLevelOneHaveNoInitial) {
  EXPECT_EQ(pinyin_initials("亍"), "");        // 0xD8A1, first of level 2 (ordered by radical)
  EXPECT_EQ(pinyin_initials("鑫"), "");        // level 2
  EXPECT_EQ(pinyin_initials("㐀"), "");        // CJK extension A, not in GB2312
  EXPECT_EQ(pinyin_initials("😀"), "");         // not in GB2312
  EXPECT_EQ(pinyin_initials("，。【】"), "");  // GB2312 punctuation, not hanzi
  EXPECT_EQ(pinyin_initials("ＡＢ１"), "");    // full-width letters are symbols here
  EXPECT_EQ(pinyin_initials("民鑫族"), "mz");
}

TEST(PinyinInitials, AsciiKeptLowerCasedRestDropped) {
  EXPECT_EQ(pinyin_initials("民族街-01"), "mzj01");
  EXPECT_EQ(pinyin_initials("江汉路 North"), "jhlnorth");
  EXPECT_EQ(pinyin_initials("Cam_A7!"), "cama7");
  EXPECT_EQ(pinyin_initials("ABCxyz0189"), "abcxyz0189");
  EXPECT_EQ(pinyin_initials(" -_./\t"), "");
  EXPECT_EQ(pinyin_initials(""), "");
  EXPECT_EQ(pinyin_initials("花楼街 #2 (东)"), "hlj2d");
}

TEST(PinyinInitials, InvalidUtf8IsSkippedNotFatal) {
  using namespace std::string_literals;
  EXPECT_EQ(pinyin_initials("\xFF民\x80族\xE8街"), "mzj");  // stray bytes, lone lead byte
  EXPECT_EQ(pinyin_initials("民\xE6\xB0"), "m");            // truncated at the end
  EXPECT_EQ(pinyin_initials("\xC0\xAFx"), "x");             // overlong '/'
  EXPECT_EQ(pinyin_initials("\xED\xA0\x80y"), "y");         // UTF-16 surrogate
  EXPECT_EQ(pinyin_initials("\xF4\x90\x80\x80z"), "z");     // beyond U+10FFFF
  EXPECT_EQ(pinyin_initials("a\0b"s), "ab");                // embedded NUL
  // Every byte value alone, and a run of random-ish bytes: no crash, only ASCII alnum out.
  for (int v = 0; v < 256; ++v) {
    const std::string s(1, static_cast<char>(v));
    const std::string out = pinyin_initials(s);
    if ((v >= '0' && v <= '9') || (v >= 'a' && v <= 'z')) {
      EXPECT_EQ(out, s);
    } else if (v >= 'A' && v <= 'Z') {
      EXPECT_EQ(out, std::string(1, static_cast<char>(v - 'A' + 'a')));
    } else {
      EXPECT_EQ(out, "") << v;
    }
  }
  std::string noise;
  std::uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245u + 12345u;
    noise.push_back(static_cast<char>(x >> 24));
  }
  for (char c : pinyin_initials(noise)) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
  }
}

TEST(PinyinInitials, SameAnswerFromManyThreads) {
  std::vector<std::thread> threads;
  std::array<bool, 8> ok{};
  for (std::size_t t = 0; t < ok.size(); ++t) {
    threads.emplace_back([&ok, t] {
      bool all = true;
      for (int i = 0; i < 300; ++i) {
        all = all && pinyin_initials("唐家墩街-01") == "tjdj01" &&
              pinyin_initials("\xFF汉兴街") == "hxj";
      }
      ok[t] = all;
    });
  }
  for (auto& th : threads) th.join();
  for (bool b : ok) EXPECT_TRUE(b);
}

// ---- CameraIndex -------------------------------------------------------------------------------

std::vector<CameraConfig> search_cameras() {
  return {
      camera("minzu-01", "民族街-01", "民族街"),           // 0
      camera("minzu-02", "民族街-02", "民族街"),           // 1
      camera("hualou-01", "花楼街-01", "花楼街"),          // 2
      camera("hualou-02", "花楼街-02", "花楼街"),          // 3
      camera("Tangjiadun-01", "唐家墩街-01", "唐家墩街"),  // 4
      camera("jhl-north", "江汉路 North Gate", "民权街"),  // 5
  };
}

using Indices = std::vector<std::size_t>;

class CameraIndexTest : public ::testing::Test {
 protected:
  CameraIndex index{search_cameras()};
};

TEST_F(CameraIndexTest, EntriesCarryLowerCasedIdAndInitials) {
  ASSERT_EQ(index.entries().size(), 6u);
  const auto& e = index.entries()[4];
  EXPECT_EQ(e.id, "Tangjiadun-01");
  EXPECT_EQ(e.id_lower, "tangjiadun-01");
  EXPECT_EQ(e.name, "唐家墩街-01");
  EXPECT_EQ(e.street, "唐家墩街");
  EXPECT_EQ(e.name_initials, "tjdj01");
  EXPECT_EQ(e.street_initials, "tjdj");
  EXPECT_EQ(index.entries()[5].name_initials, "jhlnorthgate");
  EXPECT_EQ(index.entries()[5].street_initials, "mqj");
}

TEST_F(CameraIndexTest, BlankQueryMatchesAllInConfigOrder) {
  const Indices all{0, 1, 2, 3, 4, 5};
  EXPECT_EQ(index.filter(""), all);
  EXPECT_EQ(index.filter("   "), all);
  EXPECT_EQ(index.filter(" \t\n "), all);
  EXPECT_EQ(index.filter("\u3000"), all);  // ideographic space
}

TEST_F(CameraIndexTest, ById) {
  EXPECT_EQ(index.filter("minzu"), (Indices{0, 1}));
  EXPECT_EQ(index.filter("hualou-02"), (Indices{3}));
  EXPECT_EQ(index.filter("-01"), (Indices{0, 2, 4}));
  EXPECT_EQ(index.filter("tangjiadun"), (Indices{4}));
}

TEST_F(CameraIndexTest, ByChineseNameSubstring) {
  EXPECT_EQ(index.filter("花楼"), (Indices{2, 3}));
  EXPECT_EQ(index.filter("街-02"), (Indices{1, 3}));
  EXPECT_EQ(index.filter("墩"), (Indices{4}));
  EXPECT_EQ(index.filter("江汉路"), (Indices{5}));
}

TEST_F(CameraIndexTest, ByStreet) {
  EXPECT_EQ(index.filter("民权街"), (Indices{5}));  // only the street says so
  EXPECT_EQ(index.filter("民族街"), (Indices{0, 1}));
}

TEST_F(CameraIndexTest, ByPinyinInitials) {
  EXPECT_EQ(index.filter("mzj"), (Indices{0, 1}));
  EXPECT_EQ(index.filter("hlj"), (Indices{2, 3}));
  EXPECT_EQ(index.filter("tjdj"), (Indices{4}));
  EXPECT_EQ(index.filter("mqj"), (Indices{5}));    // street initials
  EXPECT_EQ(index.filter("mzj01"), (Indices{0}));  // name initials run into the digits
  EXPECT_EQ(index.filter("jhl"), (Indices{5}));
}

TEST_F(CameraIndexTest, EveryWordMustMatch) {
  EXPECT_EQ(index.filter("hlj 02"), (Indices{3}));
  EXPECT_EQ(index.filter("  mzj   01 "), (Indices{0}));
  EXPECT_EQ(index.filter("02\u3000mzj"), (Indices{1}));  // ideographic space
  EXPECT_EQ(index.filter("民族 02"), (Indices{1}));
  EXPECT_EQ(index.filter("north mqj"), (Indices{5}));
  EXPECT_EQ(index.filter("mzj hlj"), Indices{});
  EXPECT_EQ(index.filter("nothing-here"), Indices{});
}

TEST_F(CameraIndexTest, AsciiCaseInsensitive) {
  EXPECT_EQ(index.filter("MINZU-01"), (Indices{0}));
  EXPECT_EQ(index.filter("TANGJIADUN"), (Indices{4}));
  EXPECT_EQ(index.filter("MZJ"), (Indices{0, 1}));
  EXPECT_EQ(index.filter("HlJ 02"), (Indices{3}));
  EXPECT_EQ(index.filter("NORTH gAtE"), (Indices{5}));
}

TEST(CameraIndex, NoCameras) {
  CameraIndex index({});
  EXPECT_TRUE(index.entries().empty());
  EXPECT_TRUE(index.filter("").empty());
  EXPECT_TRUE(index.filter("mzj").empty());
}

}  // namespace
}  // namespace vw::controller::panel
