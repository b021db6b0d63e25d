// Privacy masks (issue "The wall goes out"): polygons in a camera's own picture, normalized
// (0..1 of its width and height, x right, y down), drawn opaque over the picture wherever it is
// shown: always on the live outputs, on the wall unless an admin lifted them (masks.lift).
// Geometry only: checking a polygon and cutting it into triangles, which the renderer draws.
//
// Threads: plain data and free functions with no shared state.
#pragma once

#include <string>
#include <vector>

namespace vw::layouts {

struct Point {
  double x = 0, y = 0;
  bool operator==(const Point&) const = default;
};

inline constexpr std::size_t kMaxMaskPoints = 64;  // per polygon
inline constexpr std::size_t kMaxMasks = 16;       // per camera

// "" when `polygon` is a mask the wall can draw, else what is wrong with it: fewer than 3 or
// more than kMaxMaskPoints points, a coordinate outside 0..1 (or not a number), no area, or two
// edges that cross or touch (the outline must not cut itself).
std::string check_polygon(const std::vector<Point>& polygon);

// Triangles (three points each, in order) that cover `polygon` exactly, by ear clipping; the
// polygon must pass check_polygon (either winding). Points on a straight edge are dropped.
std::vector<Point> triangulate(const std::vector<Point>& polygon);

// The corners of a rectangle (x, y, w, h), clockwise from the top-left.
std::vector<Point> rectangle(double x, double y, double w, double h);

}  // namespace vw::layouts
