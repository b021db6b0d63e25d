// UTF-8 decoding shared by the wall's text, the panel's search, wallctl's columns and the log's
// view of network text (printable): strict
// (overlong forms, surrogates, values past U+10FFFF and cut-off sequences are invalid), so bad
// bytes from a config or a feed are seen for what they are.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace vw::renderer {

// Decodes the sequence at `pos` into *cp; returns its length, or 0 when the byte at `pos` does
// not start a well-formed sequence (the caller treats that byte on its own).
inline std::size_t decode_utf8_at(std::string_view s, std::size_t pos, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  std::size_t len = 0;
  char32_t value = 0;
  char32_t min = 0;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, value = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, value = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, value = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *cp = value;
  return len;
}

// The whole text; each byte that starts no well-formed sequence becomes U+FFFD.
inline std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8_at(text, pos, &cp);
    out.push_back(len == 0 ? U'\uFFFD' : cp);
    pos += len == 0 ? 1 : len;
  }
  return out;
}

// `text` safe for a terminal or a log line, whoever sent it: C0/C1 controls (escape sequences,
// newlines that would forge log lines) and bidi overrides become '?', invalid UTF-8 becomes
// U+FFFD. With `max_bytes`, a longer text is cut at a character boundary and marked with how much
// was left out.
inline std::string printable(std::string_view text, std::size_t max_bytes = 0) {
  auto in = [](char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; };
  std::string out;
  out.reserve(std::min(text.size(), max_bytes > 0 ? max_bytes : text.size()));
  std::size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8_at(text, pos, &cp);
    const std::size_t step = len == 0 ? 1 : len;
    if (max_bytes > 0 && out.size() + (len == 0 ? 3 : len) > max_bytes) break;
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
    } else if (cp < 0x20 || in(cp, 0x7F, 0x9F) || in(cp, 0x202A, 0x202E) ||
               in(cp, 0x2066, 0x2069)) {
      out += '?';
    } else {
      out.append(text.substr(pos, len));
    }
    pos += step;
  }
  if (pos < text.size()) out += "…(+" + std::to_string(text.size() - pos) + " bytes)";
  return out;
}

// `text` for an HTML page's text or a quoted attribute: & < > " escaped (the WHEP player page, the
// quality report). The text itself is left as it is: run it through printable() first if it
// comes from outside.
inline std::string html_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace vw::renderer
