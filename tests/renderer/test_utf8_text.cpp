// The renderer's UTF-8 helpers that need no GL: printable, the one filter for text from the
// network on its way to a log line or a terminal (wallctl's sanitize is the same function).
#include <gtest/gtest.h>

#include <string>

#include "renderer/utf8.hpp"

namespace vw {
namespace {

// Text from the network on its way to the log or a terminal: no control characters (a newline
// would forge a log line, an escape sequence rewrite the terminal), no bidi overrides, no invalid
// UTF-8, and a cut at a character boundary that says how much was left out.
TEST(Printable, NetworkTextIsDefusedAndCut) {
  using renderer::printable;
  EXPECT_EQ(printable("花楼街 占道经营"), "花楼街 占道经营");
  EXPECT_EQ(printable("a\n[2026-12-01 09:00:00] [info] forged"),
            "a?[2026-12-01 09:00:00] [info] forged");
  EXPECT_EQ(printable("\x1b[31mred\x1b[0m"), "?[31mred?[0m");
  EXPECT_EQ(printable("x\xc2\x9by"), "x?y");  // C1 CSI
  EXPECT_EQ(printable("a\xe2\x80\xae"
                      "b"),
            "a?b");  // U+202E right-to-left override
  EXPECT_EQ(printable("a\xff"
                      "b"),
            "a\xef\xbf\xbd"
            "b");  // invalid byte -> U+FFFD
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a?b");
  // 花 is 3 bytes: a cut at 4 bytes keeps one character whole, never half of the second.
  EXPECT_EQ(printable("花楼街", 4), "花…(+6 bytes)");
  EXPECT_EQ(printable("abc", 3), "abc");
  const std::string long_text(100000, 'x');
  EXPECT_EQ(printable(long_text, 300), std::string(300, 'x') + "…(+99700 bytes)");
}

}  // namespace
}  // namespace vw
