#include "layouts/privacy_mask.hpp"

#include <cmath>
#include <cstddef>

namespace vw::layouts {

namespace {

// Twice the signed area of (a, b, c): > 0 when they turn one way, < 0 the other, 0 on a line.
double cross(const Point& a, const Point& b, const Point& c) {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

double signed_area2(const std::vector<Point>& p) {
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const Point& a = p[i];
    const Point& b = p[(i + 1) % p.size()];
    sum += a.x * b.y - b.x * a.y;
  }
  return sum;
}

bool on_segment(const Point& a, const Point& b, const Point& p) {
  return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y &&
         p.y <= std::max(a.y, b.y);
}

// Segments ab and cd cross or touch.
bool segments_meet(const Point& a, const Point& b, const Point& c, const Point& d) {
  const double d1 = cross(c, d, a), d2 = cross(c, d, b);
  const double d3 = cross(a, b, c), d4 = cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
    return true;
  return (d1 == 0 && on_segment(c, d, a)) || (d2 == 0 && on_segment(c, d, b)) ||
         (d3 == 0 && on_segment(a, b, c)) || (d4 == 0 && on_segment(a, b, d));
}

// p inside or on the triangle (a, b, c) of positive winding.
bool in_triangle(const Point& a, const Point& b, const Point& c, const Point& p) {
  return cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0;
}

}  // namespace

std::string check_polygon(const std::vector<Point>& polygon) {
  const std::size_t n = polygon.size();
  if (n < 3) return "needs at least 3 points (got " + std::to_string(n) + ")";
  if (n > kMaxMaskPoints)
    return "has " + std::to_string(n) + " points; at most " + std::to_string(kMaxMaskPoints);
  for (std::size_t i = 0; i < n; ++i) {
    const Point& p = polygon[i];
    if (!(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1))
      return "point " + std::to_string(i + 1) +
             " is outside the picture: coordinates are 0..1 of its width and height";
  }
  if (std::fabs(signed_area2(polygon)) < 1e-9) return "has no area (its points lie on a line)";
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      // Neighbouring edges share a point by construction; every other pair must stay apart.
      if (j == i + 1 || (i == 0 && j == n - 1)) continue;
      if (segments_meet(polygon[i], polygon[(i + 1) % n], polygon[j], polygon[(j + 1) % n]))
        return "edges " + std::to_string(i + 1) + " and " + std::to_string(j + 1) +
               " cross or touch: the outline must not cut itself";
    }
  }
  return {};
}

std::vector<Point> triangulate(const std::vector<Point>& polygon) {
  std::vector<Point> ring = polygon;
  if (signed_area2(ring) < 0) ring.assign(polygon.rbegin(), polygon.rend());
  std::vector<Point> triangles;
  triangles.reserve(ring.size() * 3);
  // Each pass cuts off one ear: a convex corner whose triangle holds no other point. A simple
  // polygon always has one (two-ears theorem); the guard ends a pass that finds none (bad input).
  std::size_t guard = ring.size() * ring.size() + 8;
  while (ring.size() > 3 && guard-- > 0) {
    const std::size_t n = ring.size();
    bool cut = false;
    for (std::size_t i = 0; i < n && !cut; ++i) {
      const Point& a = ring[(i + n - 1) % n];
      const Point& b = ring[i];
      const Point& c = ring[(i + 1) % n];
      const double turn = cross(a, b, c);
      if (turn == 0) {  // b lies on the line a-c: not a corner at all
        ring.erase(ring.begin() + static_cast<std::ptrdiff_t>(i));
        cut = true;
        break;
      }
      if (turn < 0) continue;  // a reflex corner
      bool empty = true;
      for (std::size_t k = 0; k < n && empty; ++k) {
        if (k == i || k == (i + n - 1) % n || k == (i + 1) % n) continue;
        if (ring[k] == a || ring[k] == c) continue;
        empty = !in_triangle(a, b, c, ring[k]);
      }
      if (!empty) continue;
      triangles.insert(triangles.end(), {a, b, c});
      ring.erase(ring.begin() + static_cast<std::ptrdiff_t>(i));
      cut = true;
    }
    if (!cut) break;
  }
  if (ring.size() == 3 && cross(ring[0], ring[1], ring[2]) != 0)
    triangles.insert(triangles.end(), {ring[0], ring[1], ring[2]});
  return triangles;
}

std::vector<Point> rectangle(double x, double y, double w, double h) {
  return {{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}};
}

}  // namespace vw::layouts
