#include "renderer/text_atlas.hpp"

#include <fontconfig/fontconfig.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "renderer/utf8.hpp"

namespace vw::renderer {

namespace {

// Fontconfig's file and face index for `pattern_text`, with a private config (no global state).
bool fontconfig_match(const char* pattern_text, std::string* file, int* index) {
  FcConfig* config = FcInitLoadConfigAndFonts();
  if (config == nullptr) return false;
  bool found = false;
  FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>(pattern_text));
  if (pattern != nullptr) {
    FcConfigSubstitute(config, pattern, FcMatchPattern);
    FcDefaultSubstitute(pattern);
    FcResult result = FcResultNoMatch;
    FcPattern* match = FcFontMatch(config, pattern, &result);
    if (match != nullptr) {
      FcChar8* path = nullptr;
      if (FcPatternGetString(match, FC_FILE, 0, &path) == FcResultMatch && path != nullptr) {
        *file = reinterpret_cast<const char*>(path);
        int face_index = 0;
        if (FcPatternGetInteger(match, FC_INDEX, 0, &face_index) != FcResultMatch) face_index = 0;
        *index = face_index;
        found = true;
      }
      FcPatternDestroy(match);
    }
    FcPatternDestroy(pattern);
  }
  FcConfigDestroy(config);
  return found;
}

}  // namespace

FontRasterizer::FontRasterizer(const std::string& font_path) {
  if (FT_Init_FreeType(&library_) != 0) {
    library_ = nullptr;
    description_ = "FreeType does not initialize";
    spdlog::error("renderer: {}; text is not drawn", description_);
    return;
  }
  if (!font_path.empty()) {
    // A collection (.ttc) holds several faces: take the Simplified Chinese one when present.
    long chosen = 0;
    FT_Face probe = nullptr;
    if (FT_New_Face(library_, font_path.c_str(), -1, &probe) == 0) {
      const long faces = probe->num_faces;
      FT_Done_Face(probe);
      for (long i = 0; i < faces; ++i) {
        FT_Face face = nullptr;
        if (FT_New_Face(library_, font_path.c_str(), i, &face) != 0) continue;
        const std::string family = face->family_name ? face->family_name : "";
        FT_Done_Face(face);
        if (family.find("CJK SC") != std::string::npos) {
          chosen = i;
          break;
        }
      }
    }
    if (open_face(font_path, chosen)) return;
    spdlog::error("renderer: font_path {} does not open; falling back to fontconfig", font_path);
  }
  std::string file;
  int index = 0;
  if (!fontconfig_match("Noto Sans CJK SC:lang=zh-cn", &file, &index)) {
    description_ = "fontconfig has no match for \"Noto Sans CJK SC\"";
    spdlog::error("renderer: {}; text is not drawn", description_);
    return;
  }
  if (!open_face(file, index)) {
    description_ = "fontconfig's match " + file + " does not open";
    spdlog::error("renderer: {}; text is not drawn", description_);
  }
}

FontRasterizer::~FontRasterizer() {
  if (face_ != nullptr) FT_Done_Face(face_);
  if (library_ != nullptr) FT_Done_FreeType(library_);
}

bool FontRasterizer::open_face(const std::string& file, long index) {
  FT_Face face = nullptr;
  if (FT_New_Face(library_, file.c_str(), index, &face) != 0) return false;
  if (face_ != nullptr) FT_Done_Face(face_);
  face_ = face;
  file_ = file;
  face_index_ = index;
  description_ = file + "#" + std::to_string(index) + " (" +
                 (face->family_name ? face->family_name : "?") + " " +
                 (face->style_name ? face->style_name : "") + ")";
  if (FT_Get_Char_Index(face_, U'\u4E2D') == 0) {  // 中
    spdlog::warn("renderer: font {} has no Chinese glyphs; labels will show boxes", description_);
  }
  return true;
}

TextBitmap FontRasterizer::rasterize(std::string_view utf8, int pixel_size) {
  TextBitmap bitmap;
  if (face_ == nullptr || utf8.empty()) return bitmap;
  pixel_size = std::clamp(pixel_size, 4, 512);
  if (FT_Set_Pixel_Sizes(face_, 0, static_cast<FT_UInt>(pixel_size)) != 0) return bitmap;
  const FT_Size_Metrics& metrics = face_->size->metrics;
  const int ascender = static_cast<int>((metrics.ascender + 63) >> 6);
  const int descender = static_cast<int>((-metrics.descender + 63) >> 6);
  bitmap.height = std::max(1, ascender + descender);

  struct Placed {
    int x, y, width, rows, pitch;
    std::vector<std::uint8_t> pixels;
  };
  std::vector<Placed> glyphs;
  long pen = 0;  // 26.6
  for (char32_t cp : decode_utf8(utf8)) {
    if (FT_Load_Char(face_, cp, FT_LOAD_RENDER | FT_LOAD_TARGET_NORMAL) != 0) continue;
    const FT_GlyphSlot slot = face_->glyph;
    const FT_Bitmap& b = slot->bitmap;
    const int origin = static_cast<int>(pen >> 6);
    if (origin + static_cast<int>(slot->advance.x >> 6) > kMaxWidth) break;
    if (b.pixel_mode == FT_PIXEL_MODE_GRAY && b.width > 0 && b.rows > 0) {
      Placed g{origin + slot->bitmap_left, ascender - slot->bitmap_top, static_cast<int>(b.width),
               static_cast<int>(b.rows),   std::abs(b.pitch),           {}};
      g.pixels.resize(static_cast<std::size_t>(g.pitch) * static_cast<std::size_t>(g.rows));
      for (int r = 0; r < g.rows; ++r) {
        // A negative pitch means the rows are stored bottom-up.
        const int src_row = b.pitch >= 0 ? r : g.rows - 1 - r;
        std::copy_n(b.buffer + static_cast<std::ptrdiff_t>(src_row) * std::abs(b.pitch), g.pitch,
                    g.pixels.data() + static_cast<std::ptrdiff_t>(r) * g.pitch);
      }
      glyphs.push_back(std::move(g));
    }
    pen += slot->advance.x;
  }
  bitmap.width = std::clamp(static_cast<int>((pen + 63) >> 6), 0, kMaxWidth);
  for (const Placed& g : glyphs) bitmap.width = std::max(bitmap.width, g.x + g.width);
  bitmap.width = std::min(bitmap.width, kMaxWidth);
  if (bitmap.width <= 0) return TextBitmap{};
  bitmap.coverage.assign(
      static_cast<std::size_t>(bitmap.width) * static_cast<std::size_t>(bitmap.height), 0);
  for (const Placed& g : glyphs) {
    for (int r = 0; r < g.rows; ++r) {
      const int y = g.y + r;
      if (y < 0 || y >= bitmap.height) continue;
      for (int c = 0; c < g.width; ++c) {
        const int x = g.x + c;
        if (x < 0 || x >= bitmap.width) continue;
        auto& dst = bitmap.coverage[static_cast<std::size_t>(y) * bitmap.width + x];
        dst = std::max(dst, g.pixels[static_cast<std::size_t>(r) * g.pitch + c]);
      }
    }
  }
  return bitmap;
}

TextCache::TextCache(const std::string& font_path) : font_(font_path) {
  if (font_.ok()) spdlog::info("renderer: font {}", font_.description());
}

const TextCache::Entry* TextCache::get(const std::string& text, int pixel_size) {
  if (text.empty() || !font_.ok()) return nullptr;
  Key key(pixel_size, text);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    TextBitmap bitmap = font_.rasterize(text, pixel_size);
    if (bitmap.width == 0) return nullptr;
    Slot slot;
    slot.entry.texture = gl::make_texture(false);
    slot.entry.width = bitmap.width;
    slot.entry.height = bitmap.height;
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, bitmap.width, bitmap.height, 0, GL_RED, GL_UNSIGNED_BYTE,
                 bitmap.coverage.data());
    bytes_ += bitmap.coverage.size();
    lru_.push_front(key);
    slot.lru = lru_.begin();
    it = entries_.emplace(std::move(key), std::move(slot)).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);  // most recent first
  }
  it->second.entry.last_used = composite_;
  return &it->second.entry;
}

void TextCache::end_composite() {
  while (!lru_.empty() && (entries_.size() > kMaxEntries || bytes_ > kMaxBytes)) {
    auto it = entries_.find(lru_.back());
    if (it->second.entry.last_used == composite_) break;  // the rest were used just now too
    bytes_ -= static_cast<std::size_t>(it->second.entry.width) *
              static_cast<std::size_t>(it->second.entry.height);
    entries_.erase(it);
    lru_.pop_back();
  }
  ++composite_;
}

}  // namespace vw::renderer
