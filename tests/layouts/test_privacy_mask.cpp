// Privacy-mask geometry: which polygons are refused and why, and that the triangles cover
// exactly the polygon (sampled on a grid against an even-odd point-in-polygon test).
#include <gtest/gtest.h>

#include <cmath>

#include "layouts/privacy_mask.hpp"

namespace vw::layouts {
namespace {

bool inside_polygon(const std::vector<Point>& p, Point q) {
  bool in = false;
  for (std::size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
    if ((p[i].y > q.y) != (p[j].y > q.y) &&
        q.x < (p[j].x - p[i].x) * (q.y - p[i].y) / (p[j].y - p[i].y) + p[i].x)
      in = !in;
  }
  return in;
}

bool inside_triangles(const std::vector<Point>& t, Point q) {
  for (std::size_t i = 0; i + 2 < t.size(); i += 3) {
    auto side = [&](const Point& a, const Point& b) {
      return (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x);
    };
    const double d1 = side(t[i], t[i + 1]), d2 = side(t[i + 1], t[i + 2]),
                 d3 = side(t[i + 2], t[i]);
    if ((d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0)) return true;
  }
  return false;
}

double triangles_area(const std::vector<Point>& t) {
  double sum = 0;
  for (std::size_t i = 0; i + 2 < t.size(); i += 3)
    sum += std::fabs((t[i + 1].x - t[i].x) * (t[i + 2].y - t[i].y) -
                     (t[i + 1].y - t[i].y) * (t[i + 2].x - t[i].x)) /
           2;
  return sum;
}

void expect_exact_cover(const std::vector<Point>& polygon, double area) {
  ASSERT_EQ(check_polygon(polygon), "");
  const auto triangles = triangulate(polygon);
  ASSERT_EQ(triangles.size() % 3, 0u);
  EXPECT_NEAR(triangles_area(triangles), area, 1e-9) << "no overlap, nothing missing";
  int checked = 0;
  for (int y = 0; y < 97; ++y) {
    for (int x = 0; x < 97; ++x) {
      const Point q{(x + 0.31) / 97, (y + 0.57) / 97};  // off every edge of the test shapes
      EXPECT_EQ(inside_polygon(polygon, q), inside_triangles(triangles, q))
          << "at " << q.x << ", " << q.y;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 97 * 97);
}

TEST(PrivacyMask, RectangleAndBothWindings) {
  const auto r = rectangle(0.1, 0.2, 0.5, 0.3);
  expect_exact_cover(r, 0.15);
  expect_exact_cover({r.rbegin(), r.rend()}, 0.15);
  EXPECT_EQ(triangulate(r).size(), 6u);
}

TEST(PrivacyMask, ConcaveShapesAreCoveredExactly) {
  // An L (a window and the balcony below it) and a five-pointed star's outline.
  expect_exact_cover({{0.1, 0.1}, {0.4, 0.1}, {0.4, 0.6}, {0.8, 0.6}, {0.8, 0.9}, {0.1, 0.9}},
                     0.3 * 0.5 + 0.7 * 0.3);
  std::vector<Point> star;
  for (int i = 0; i < 10; ++i) {
    const double angle = M_PI / 2 + i * M_PI / 5;
    const double radius = i % 2 == 0 ? 0.45 : 0.18;
    star.push_back({0.5 + radius * std::cos(angle), 0.5 - radius * std::sin(angle)});
  }
  double area2 = 0;
  for (std::size_t i = 0; i < star.size(); ++i)
    area2 += star[i].x * star[(i + 1) % 10].y - star[(i + 1) % 10].x * star[i].y;
  expect_exact_cover(star, std::fabs(area2) / 2);
}

TEST(PrivacyMask, PointsOnAStraightEdgeAreHarmless) {
  expect_exact_cover({{0, 0}, {0.5, 0}, {1, 0}, {1, 1}, {0, 1}}, 1.0);
}

TEST(PrivacyMask, RefusesWhatCannotBeDrawnAndSaysWhy) {
  EXPECT_NE(check_polygon({{0, 0}, {1, 1}}).find("at least 3"), std::string::npos);
  EXPECT_NE(check_polygon({{0, 0}, {1.2, 0}, {1, 1}}).find("point 2 is outside"),
            std::string::npos);
  EXPECT_NE(check_polygon({{0, 0}, {NAN, 0}, {1, 1}}).find("outside"), std::string::npos);
  EXPECT_NE(check_polygon({{0, 0}, {0.5, 0.5}, {1, 1}}).find("no area"), std::string::npos);
  // A bow tie: edges 1 and 3 cross.
  EXPECT_NE(check_polygon({{0, 0}, {1, 1}, {1, 0}, {0, 0.6}}).find("edges 1 and 3 cross"),
            std::string::npos);
  std::vector<Point> many;
  for (std::size_t i = 0; i < kMaxMaskPoints + 1; ++i) {
    const double a = 2 * M_PI * static_cast<double>(i) / (kMaxMaskPoints + 1);
    many.push_back({0.5 + 0.4 * std::cos(a), 0.5 + 0.4 * std::sin(a)});
  }
  EXPECT_NE(check_polygon(many).find("at most"), std::string::npos);
}

}  // namespace
}  // namespace vw::layouts
