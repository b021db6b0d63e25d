#include "streams/stream_channel.hpp"

namespace vw::streams {

std::string_view to_string(StreamState state) {
  switch (state) {
    case StreamState::Idle:
      return "idle";
    case StreamState::Connecting:
      return "connecting";
    case StreamState::Playing:
      return "playing";
    case StreamState::Stalled:
      return "stalled";
    case StreamState::Reconnecting:
      return "reconnecting";
    case StreamState::AuthFailed:
      return "auth_failed";
    case StreamState::NotFound:
      return "not_found";
    case StreamState::Unsupported:
      return "unsupported";
  }
  return "unknown";
}

}  // namespace vw::streams
