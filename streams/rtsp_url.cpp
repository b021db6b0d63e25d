#include "streams/rtsp_url.hpp"

#include <cctype>
#include <optional>

#include "streams/stream_manager.hpp"

namespace vw::streams {
namespace {

// Where the user info of a URL lies: [begin, at) is "user[:password]", `at` indexes the '@'.
struct UserInfo {
  std::size_t begin = 0;
  std::size_t colon = std::string_view::npos;  // ':' between user and password, if any
  std::size_t at = 0;
};

// `url` is one URL (already cut out of any surrounding text). Camera passwords are often typed
// without percent-encoding ("P@ss/w#1"), so the user info ends at the LAST '@' of the URL, even
// past a '/', '?' or '#'; only a '/' in the user name (before the first ':') says that the '@'
// belongs to the path instead. When unsure, more is hidden, never less: the one misreading,
// "rtsp://host:554/path@x" (a port and an '@' in the path), hides "554/path".
std::optional<UserInfo> find_user_info(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  UserInfo info;
  info.begin = scheme_end + 3;
  std::string_view rest = url.substr(info.begin);
  std::size_t at = rest.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view candidate = rest.substr(0, at);
  std::size_t colon = candidate.find(':');
  if (candidate.substr(0, colon).find('/') != std::string_view::npos) return std::nullopt;
  info.at = info.begin + at;
  if (colon != std::string_view::npos) info.colon = info.begin + colon;
  return info;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// One URL: replaces a non-empty password with ***.
std::string redact_one(std::string_view url) {
  std::optional<UserInfo> info = find_user_info(url);
  if (!info || info->colon == std::string_view::npos || info->colon + 1 == info->at) {
    return std::string(url);
  }
  std::string out(url.substr(0, info->colon + 1));
  out += "***";
  out += url.substr(info->at);
  return out;
}

bool ends_url(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == '<' ||
         c == '>' || c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == ';';
}

void replace_all(std::string& text, const std::string& secret) {
  if (secret.size() < 4) return;
  for (std::size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
}

}  // namespace

std::string redact_url(const std::string& url) {
  return redact_one(url);
}

UrlCredentials split_credentials(const std::string& url) {
  UrlCredentials out;
  std::optional<UserInfo> info = find_user_info(url);
  if (!info) {
    out.location = url;
    return out;
  }
  std::string_view view(url);
  if (info->colon == std::string_view::npos) {
    out.user = percent_decode(view.substr(info->begin, info->at - info->begin));
  } else {
    out.user = percent_decode(view.substr(info->begin, info->colon - info->begin));
    out.password = percent_decode(view.substr(info->colon + 1, info->at - info->colon - 1));
  }
  out.location = std::string(view.substr(0, info->begin)) + std::string(view.substr(info->at + 1));
  return out;
}

std::optional<RtspAddress> rtsp_address(const std::string& url) {
  RtspAddress out;
  out.request_uri = split_credentials(url).location;
  std::string_view view(out.request_uri);
  std::size_t scheme_end = view.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string scheme(view.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "rtsp" && scheme != "rtspt") return std::nullopt;
  std::string_view authority = view.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
    }
  } else {
    std::size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  out.port = 554;
  if (!port_text.empty()) {
    if (port_text.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

std::string redact_text(std::string_view text, const std::string& url_with_secret) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t mark = text.find("://", pos);
    if (mark == std::string_view::npos) break;
    std::size_t start = mark;
    while (start > pos && std::isalnum(static_cast<unsigned char>(text[start - 1])) != 0) --start;
    std::size_t end = mark + 3;
    while (end < text.size() && !ends_url(text[end])) ++end;
    out += text.substr(pos, start - pos);
    out += redact_one(text.substr(start, end - start));
    pos = end;
  }
  out += text.substr(pos);
  if (!url_with_secret.empty()) {
    std::optional<UserInfo> info = find_user_info(url_with_secret);
    if (info && info->colon != std::string_view::npos) {
      std::string raw = url_with_secret.substr(info->colon + 1, info->at - info->colon - 1);
      replace_all(out, raw);
      replace_all(out, percent_decode(raw));
    }
  }
  return out;
}

}  // namespace vw::streams
