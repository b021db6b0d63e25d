// Names of the diagnosis' files (reference pictures, snapshots) made from camera and stream ids,
// which may be any UTF-8 of any length: hex spelling, and a short hash where a name must stay
// well below the 255 bytes a file name may have.
// Threads: any (pure functions).
#pragma once

#include <string>
#include <string_view>

namespace vw::controller::quality {

// The bytes of `text` as lowercase hex digits (two per byte).
std::string hex_of(std::string_view text);
// FNV-1a (64 bits) of `text` as 16 lowercase hex digits: stable across runs and machines.
std::string short_hash(std::string_view text);

}  // namespace vw::controller::quality
