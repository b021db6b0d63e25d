// Logs to the systemd journal when systemd started us with stderr connected to it
// (JOURNAL_STREAM names stderr): one entry per line with its priority, SYSLOG_IDENTIFIER=
// videowall, and for a line about a camera stream ("stream minzu-01/main: ...") the fields
// STREAM=minzu-01/main and CAMERA=minzu-01, so `journalctl STREAM=minzu-01/main` finds them.
// Threads: use_journal_when_attached() once at start, before other threads log.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vw::controller::service {

// Swaps the default logger's sinks for the journal when stderr is the journal; true if it did.
bool use_journal_when_attached();

// The journal fields a log line carries beyond MESSAGE and PRIORITY (pure, for the tests).
std::vector<std::pair<std::string, std::string>> journal_fields(std::string_view message);

}  // namespace vw::controller::service
