// Credential handling for camera URLs (streams/ itself, and the app's check that a readable config
// holds no passwords; redact_url is in stream_manager.hpp).
// Threads: pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vw::streams {

// A URL split into a location without user info, plus the (percent-decoded) credentials, so that
// rtspsrc gets them as user-id/user-pw and its error messages never contain them.
struct UrlCredentials {
  std::string location;  // the URL with "user[:password]@" removed
  std::string user;
  std::string password;
};
UrlCredentials split_credentials(const std::string& url);

// Where an RTSP URL's server listens, for the reachability probe (server_probe.hpp): "rtsp://" and
// "rtspt://" (RTSP over TCP), default port 554, an IPv6 literal in brackets. Other schemes, a
// missing host or a port outside 1..65535 give none.
struct RtspAddress {
  std::string host;         // without brackets
  std::uint16_t port = 0;   // 554 when the URL names none
  std::string request_uri;  // the URL without credentials, as sent in the request line
  bool operator==(const RtspAddress&) const = default;
};
std::optional<RtspAddress> rtsp_address(const std::string& url);

// Redacts every "scheme://user:password@" in free text (GStreamer error and debug strings), and
// also any literal occurrence of `password` (raw and percent-decoded) if it is 4+ characters long.
std::string redact_text(std::string_view text, const std::string& url_with_secret = {});

}  // namespace vw::streams
