// The player page the WHEP endpoint serves at /<id>/ (whep_server.hpp): a video element that
// plays the output over WebRTC, Chinese status lines, and a reconnect every 3 s while the
// output is stopped or the connection dropped. It logs its states to the browser's console as
// "videowall-whep: connecting|playing WxH|refused STATUS ...|...", which the tests read.
// Threads: any (a pure function).
#pragma once

#include <string>

namespace vw::controller::service {

// The page for an output named `title` (HTML-escaped here).
std::string whep_page(const std::string& title);

}  // namespace vw::controller::service
