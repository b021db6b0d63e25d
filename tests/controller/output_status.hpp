// What `wallctl --json status` says of one live output, and what its picture shows, for the
// tests of the outputs.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/controller/api_daemon.hpp"

namespace vw::testing {

// The status entry of output `id` of `daemon`, or an empty object.
inline nlohmann::json output_of_status(ApiDaemon& daemon, const std::string& id) {
  using nlohmann::json;
  const json s = json::parse(daemon.wallctl({"--json", "status"}).output, nullptr, false);
  for (const auto& o : s.value("outputs", json::array()))
    if (o.value("id", "") == id) return o;
  return json::object();
}

// Whether a picture of ApiDaemon's 2x2 wall at half size (320x180) has each camera's colour at
// its tile's centre (below the label); `at(x, y)` is its RGB pixel, `seen` what was there.
struct TileCentre {
  int x, y;
  std::uint32_t colour;
};
inline constexpr TileCentre kHalfSizeTileCentres[] = {
    {80, 55, kRed}, {240, 55, kGreen}, {80, 145, kBlue}, {240, 145, kWhite}};

template <typename PixelAt>
bool tiles_at_half_size(PixelAt at, std::string& seen) {
  seen.clear();
  bool all = true;
  for (const TileCentre& centre : kHalfSizeTileCentres) {
    const std::uint32_t got = at(centre.x, centre.y);
    all &= near_colour(got, centre.colour);
    char text[32];
    std::snprintf(text, sizeof text, "(%d,%d)=%06x ", centre.x, centre.y, got);
    seen += text;
  }
  return all;
}

}  // namespace vw::testing
