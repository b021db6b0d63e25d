// Text for tile labels and state messages.
// FontRasterizer: FreeType + fontconfig on the CPU. Opens `font_path`, or fontconfig's match
// for "Noto Sans CJK SC" (in a .ttc collection, the Simplified Chinese face).
// TextCache: each distinct (string, pixel size) is rasterized once into an R8 coverage texture.
// Bounded: beyond kMaxEntries entries or kMaxBytes of texture memory, the least recently used
// entries are evicted at the end of a composite (never one used in the current composite, so
// pointers from get() stay valid until end_composite()).
// Threads: render thread only (TextCache owns GL textures; it needs the context current).
#pragma once

#include <ft2build.h>
#include FT_FREETYPE_H

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "renderer/gl_util.hpp"

namespace vw::renderer {

struct TextBitmap {
  int width = 0;
  int height = 0;                      // line height: ascender + descender
  std::vector<std::uint8_t> coverage;  // width * height, top row first
};

class FontRasterizer {
 public:
  // Loads the font; on failure ok() is false and description() says why. Never throws.
  explicit FontRasterizer(const std::string& font_path);
  ~FontRasterizer();
  FontRasterizer(const FontRasterizer&) = delete;
  FontRasterizer& operator=(const FontRasterizer&) = delete;

  bool ok() const { return face_ != nullptr; }
  // "file#index (family style)" of the face in use, or why there is none.
  const std::string& description() const { return description_; }
  // The font file and face index in use (empty file when none): the operator UI loads the same.
  const std::string& file() const { return file_; }
  long face_index() const { return face_index_; }

  // UTF-8 text (invalid bytes become U+FFFD) at `pixel_size` pixels per em, one line, at most
  // kMaxWidth pixels wide (cut there). Empty bitmap when the font is missing.
  TextBitmap rasterize(std::string_view utf8, int pixel_size);

  static constexpr int kMaxWidth = 4096;

 private:
  bool open_face(const std::string& file, long index);

  FT_Library library_ = nullptr;
  FT_Face face_ = nullptr;
  std::string description_;
  std::string file_;
  long face_index_ = 0;
};

class TextCache {
 public:
  struct Entry {
    gl::Texture texture;  // R8 coverage, nearest sampling: draw at 1:1 pixel size
    int width = 0;
    int height = 0;
    std::uint64_t last_used = 0;  // composite number
  };

  static constexpr std::size_t kMaxEntries = 512;
  static constexpr std::size_t kMaxBytes = std::size_t{32} << 20;

  explicit TextCache(const std::string& font_path);

  const FontRasterizer& font() const { return font_; }
  FontRasterizer& rasterizer() { return font_; }  // for CPU text (the outputs' watermarks)

  // The texture for `text` at `pixel_size`, rasterized on first use; null for empty text or a
  // missing font. Valid until end_composite().
  const Entry* get(const std::string& text, int pixel_size);

  // Once per composite: evicts least recently used entries while over the limits.
  void end_composite();

  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }  // texture memory of the entries (R8: w * h)

 private:
  using Key = std::pair<int, std::string>;
  struct Slot {
    Entry entry;
    std::list<Key>::iterator lru;  // position in lru_ (front: most recent)
  };

  FontRasterizer font_;
  std::map<Key, Slot> entries_;
  std::list<Key> lru_;
  std::size_t bytes_ = 0;
  std::uint64_t composite_ = 0;
};

}  // namespace vw::renderer
