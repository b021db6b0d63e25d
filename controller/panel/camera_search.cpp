#include "controller/panel/camera_search.hpp"

#include <iconv.h>

#include <array>
#include <cstdint>
#include <optional>

#include "renderer/utf8.hpp"

namespace vw::controller::panel {
namespace {

// One iconv descriptor per thread: iconv_t carries conversion state, so sharing one between
// threads would need a lock; a thread_local one needs none and is closed when the thread ends.
class GbConverter {
 public:
  GbConverter() : cd_(iconv_open("GB2312", "UTF-8")) {}
  ~GbConverter() {
    if (ok()) iconv_close(cd_);
  }
  GbConverter(const GbConverter&) = delete;
  GbConverter& operator=(const GbConverter&) = delete;

  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // The two-byte EUC-CN code of one UTF-8 encoded character, or nothing when GB2312 lacks it.
  std::optional<std::uint16_t> code_of(std::string_view utf8_char) {
    if (!ok()) return std::nullopt;
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // fresh state after any earlier failure
    // iconv's input is char* for historical reasons; it does not write through it.
    char* in = const_cast<char*>(utf8_char.data());
    std::size_t in_left = utf8_char.size();
    std::array<char, 8> out{};
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    if (iconv(cd_, &in, &in_left, &out_ptr, &out_left) == static_cast<std::size_t>(-1)) {
      return std::nullopt;
    }
    if (out.size() - out_left != 2) return std::nullopt;
    return static_cast<std::uint16_t>((static_cast<unsigned char>(out[0]) << 8) |
                                      static_cast<unsigned char>(out[1]));
  }

 private:
  iconv_t cd_;
};

// First GB2312 code of each initial in level 1 (0xB0A1..0xD7F9, sorted by pinyin), checked by
// converting the first character of each letter (啊 芭 擦 搭 蛾 发 噶 哈 击 喀 垃 妈 拿 哦 啪 期
// 然 撒 塌 挖 昔 压 匝) with glibc's iconv. No syllable starts with i, u or v.
struct InitialStart {
  std::uint16_t code;
  char letter;
};
constexpr std::array<InitialStart, 23> kInitialStarts{{
    {0xB0A1, 'a'}, {0xB0C5, 'b'}, {0xB2C1, 'c'}, {0xB4EE, 'd'}, {0xB6EA, 'e'}, {0xB7A2, 'f'},
    {0xB8C1, 'g'}, {0xB9FE, 'h'}, {0xBBF7, 'j'}, {0xBFA6, 'k'}, {0xC0AC, 'l'}, {0xC2E8, 'm'},
    {0xC4C3, 'n'}, {0xC5B6, 'o'}, {0xC5BE, 'p'}, {0xC6DA, 'q'}, {0xC8BB, 'r'}, {0xC8F6, 's'},
    {0xCBFA, 't'}, {0xCDDA, 'w'}, {0xCEF4, 'x'}, {0xD1B9, 'y'}, {0xD4D1, 'z'},
}};
constexpr std::uint16_t kLevel1First = 0xB0A1;
constexpr std::uint16_t kLevel1Last = 0xD7F9;

std::optional<char> initial_of_code(std::uint16_t code) {
  if (code < kLevel1First || code > kLevel1Last) return std::nullopt;  // level 2: by radical
  char letter = 'a';
  for (const auto& start : kInitialStarts) {
    if (code < start.code) break;
    letter = start.letter;
  }
  return letter;
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Query words split at ASCII whitespace and at U+3000 (the ideographic space that Chinese input
// methods type), already ASCII lower-cased.
std::vector<std::string> query_words(std::string_view query) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(ascii_lower(current));
    current.clear();
  };
  for (std::size_t i = 0; i < query.size();) {
    if (is_ascii_space(query[i])) {
      flush();
      ++i;
    } else if (query.substr(i, kIdeographicSpace.size()) == kIdeographicSpace) {
      flush();
      i += kIdeographicSpace.size();
    } else {
      current.push_back(query[i]);
      ++i;
    }
  }
  flush();
  return words;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

std::string pinyin_initials(std::string_view utf8) {
  thread_local GbConverter converter;
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = 0;
    const std::size_t len = renderer::decode_utf8_at(utf8, i, &cp);
    if (len == 0) {  // a bad byte: skip it and resynchronize on the next one
      ++i;
      continue;
    }
    if (len == 1) {
      if (is_ascii_alnum(utf8[i])) out.push_back(ascii_lower(utf8[i]));
    } else if (auto code = converter.code_of(utf8.substr(i, len))) {
      if (auto letter = initial_of_code(*code)) out.push_back(*letter);
    }
    i += len;
  }
  return out;
}

CameraIndex::CameraIndex(const std::vector<CameraConfig>& cameras) {
  entries_.reserve(cameras.size());
  for (const auto& camera : cameras) {
    CameraSearchEntry entry;
    entry.id = camera.id;
    entry.name = camera.name;
    entry.street = camera.street;
    entry.id_lower = ascii_lower(camera.id);
    entry.name_initials = pinyin_initials(camera.name);
    entry.street_initials = pinyin_initials(camera.street);
    entries_.push_back(std::move(entry));
  }
}

std::vector<std::size_t> CameraIndex::filter(std::string_view query) const {
  const auto words = query_words(query);
  std::vector<std::size_t> matches;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto& entry = entries_[i];
    // Lower-casing ASCII bytes never touches a multi-byte UTF-8 sequence (all its bytes are
    // >= 0x80), so Chinese text compares byte for byte.
    const std::string name_lower = ascii_lower(entry.name);
    const std::string street_lower = ascii_lower(entry.street);
    bool all = true;
    for (const auto& word : words) {
      if (!contains(entry.id_lower, word) && !contains(name_lower, word) &&
          !contains(street_lower, word) && !contains(entry.name_initials, word) &&
          !contains(entry.street_initials, word)) {
        all = false;
        break;
      }
    }
    if (all) matches.push_back(i);
  }
  return matches;
}

}  // namespace vw::controller::panel
