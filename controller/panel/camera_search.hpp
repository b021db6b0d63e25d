// Finding a camera in the operator panel's list: by id, display name, street, or the pinyin
// initials of the name or street ("mzj" finds 民族街-01). Pinyin initials come from the GB2312
// order of the common (level-1) characters, which is alphabetical by pinyin; rarer characters
// have no initial and only match by themselves.
// Threads: pure functions; CameraIndex is immutable after construction.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "controller/core/config.hpp"

namespace vw::controller::panel {

// Lower-case pinyin initial of each Chinese character; ASCII letters and digits are kept
// (lower-cased); everything else (punctuation, rare characters) is dropped.
// pinyin_initials("民族街-01") == "mzj01", pinyin_initials("江汉路 North") == "jhlnorth".
std::string pinyin_initials(std::string_view utf8);

struct CameraSearchEntry {
  std::string id;
  std::string name;
  std::string street;
  std::string id_lower;         // ASCII lower-cased
  std::string name_initials;    // pinyin_initials(name)
  std::string street_initials;  // pinyin_initials(street)
};

class CameraIndex {
 public:
  explicit CameraIndex(const std::vector<CameraConfig>& cameras);

  // Indices into the cameras (config order) matching `query`: every whitespace-separated word
  // of the query must be found (ASCII case-insensitive) in the id, name or street, or in the
  // pinyin initials of the name or street. An empty or blank query matches every camera.
  std::vector<std::size_t> filter(std::string_view query) const;

  const std::vector<CameraSearchEntry>& entries() const { return entries_; }

 private:
  std::vector<CameraSearchEntry> entries_;
};

}  // namespace vw::controller::panel
