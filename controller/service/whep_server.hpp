// The WHEP endpoint of the outputs (issue "The wall goes out"; WHEP: the IETF's WebRTC-HTTP
// egress protocol, docs/outputs.md): a browser in a meeting room or on a leader's laptop watches
// an output over WebRTC. For each output with the whep sink:
//   GET    /<id>/              a player page (Chinese), which does the rest by itself
//   POST   /<id>/whep          an SDP offer (application/sdp) -> 201, the SDP answer with every
//                              candidate (no trickle), Location: /<id>/whep/<session>
//   DELETE /<id>/whep/<session> the viewer leaves
//   OPTIONS                    CORS preflight: players served from elsewhere may use it too
// With a token, POST and DELETE need "Authorization: Bearer <token>" (401 otherwise); the page
// takes it from its own address (?token=...). Each viewer is a streams/out/webrtc_session attached
// to the running output; at most max_viewers per output (503 beyond), viewers whose connection
// failed or closed are removed by reap(), and all of an output's when it stops (close_output()).
// Bounded: two workers, 16 waiting connections, 64 KiB offers, 5 s to read a request.
// Threads: constructed (binds; throws std::runtime_error naming the address) and destroyed on
// the owner's thread; every other method from any thread; the handlers run on the workers.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "streams/out/live_output.hpp"
#include "streams/out/webrtc_session.hpp"

namespace httplib {
class Server;
}

namespace vw::controller::service {

struct WhepServerOptions {
  std::string host = "127.0.0.1";            // numeric
  int port = 8889;                           // 0: any free port (tests)
  std::string token;                         // "": none (the config allows that on loopback only)
  std::vector<std::string> ice_addresses;    // streams::WebRtcOptions::ice_addresses
  int max_viewers = 8;                       // per output
  std::map<std::string, std::string> names;  // the outputs it serves: id -> name (the page's title)
};

class WhepServer {
 public:
  // The running output with that id, or null while it is stopped.
  using FindOutput = std::function<std::shared_ptr<streams::LiveOutput>(const std::string& id)>;

  WhepServer(WhepServerOptions options, FindOutput find);
  ~WhepServer();  // every viewer leaves
  WhepServer(const WhepServer&) = delete;
  WhepServer& operator=(const WhepServer&) = delete;

  int port() const { return port_; }                      // as bound
  std::string page_url(const std::string& id) const;      // http://HOST:PORT/<id>/
  std::string endpoint_url(const std::string& id) const;  // http://HOST:PORT/<id>/whep

  int viewers(const std::string& id) const;  // sessions of the output now (connected or not)
  void close_output(const std::string& id);  // its viewers leave (the output stopped)
  void reap();                               // removes the viewers that failed or closed

 private:
  struct Viewer {
    std::string output_id;
    std::unique_ptr<streams::WebRtcSession> session;
    std::weak_ptr<streams::LiveOutput> output;
  };
  struct Reply {
    Reply(int status_, std::string body_, std::string content_type_ = "text/plain; charset=utf-8",
          std::string location_ = {})
        : status(status_),
          body(std::move(body_)),
          content_type(std::move(content_type_)),
          location(std::move(location_)) {}
    int status;
    std::string body;
    std::string content_type;
    std::string location;
  };
  Reply offer(const std::string& id, const std::string& sdp);
  Reply leave(const std::string& id, const std::string& session);
  static void end(Viewer& viewer);              // detaches and stops (outside the lock)
  int viewers_of(const std::string& id) const;  // under the lock

  const WhepServerOptions options_;
  const FindOutput find_;
  int port_ = 0;
  mutable std::mutex mutex_;                // guards the members below
  std::map<std::string, Viewer> viewers_;   // by session id
  std::map<std::string, int> negotiating_;  // by output id: offers being answered now
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
};

}  // namespace vw::controller::service
