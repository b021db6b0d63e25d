#include "controller/service/journal_log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace vw::controller::service {
namespace {

int priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    default:
      return LOG_INFO;
  }
}

class JournalSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::vector<std::string> fields{"MESSAGE=" + std::string(text),
                                    "PRIORITY=" + std::to_string(priority(msg.level)),
                                    "SYSLOG_IDENTIFIER=videowall"};
    for (const auto& [key, value] : journal_fields(text)) fields.push_back(key + "=" + value);
    std::vector<iovec> parts;
    for (auto& f : fields) parts.push_back({f.data(), f.size()});
    sd_journal_sendv(parts.data(), static_cast<int>(parts.size()));  // journald gone: dropped
  }
  void flush_() override {}
};

}  // namespace

std::vector<std::pair<std::string, std::string>> journal_fields(std::string_view message) {
  // "stream KEY: ..." with KEY "CAMERA/main" or "CAMERA/sub" (streams/ logs every line so).
  constexpr std::string_view prefix = "stream ";
  if (message.substr(0, prefix.size()) != prefix) return {};
  const auto colon = message.find(": ", prefix.size());
  if (colon == std::string_view::npos) return {};
  const std::string_view key = message.substr(prefix.size(), colon - prefix.size());
  const auto slash = key.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || key.find(' ') != std::string_view::npos)
    return {};
  return {{"STREAM", std::string(key)}, {"CAMERA", std::string(key.substr(0, slash))}};
}

bool use_journal_when_attached() {
  // JOURNAL_STREAM is "DEVICE:INODE" of the journal stream systemd gave us as stdout/stderr.
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long device = 0, inode = 0;
  struct stat err {};
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2 || ::fstat(STDERR_FILENO, &err) != 0 ||
      err.st_dev != device || err.st_ino != inode)
    return false;
  auto logger = spdlog::default_logger();
  logger->sinks().clear();
  logger->sinks().push_back(std::make_shared<JournalSink>());
  return true;
}

}  // namespace vw::controller::service
