#include "controller/quality/file_names.hpp"

#include <cstdint>

namespace vw::controller::quality {
namespace {
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

std::string hex_of(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (const unsigned char c : text) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string short_hash(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 15];
  return out;
}

}  // namespace vw::controller::quality
