#include <gtest/gtest.h>
TEST(Layouts, Placeholder) {}
