#include "controller/service/whep_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <random>
#include <stdexcept>

#include "controller/service/http_listener.hpp"
#include "controller/service/whep_page.hpp"
#include "streams/out/output_server.hpp"

namespace vw::controller::service {

namespace {

constexpr std::size_t kMaxOffer = 64 * 1024;  // a browser's offer is 3-8 KiB

// 128 random bits, hex: a session's name in its Location (not guessable by another viewer).
std::string new_session_id() {
  static std::mutex mutex;
  static std::random_device device;
  std::lock_guard lock(mutex);
  std::string out;
  for (int i = 0; i < 4; ++i) {
    char part[9];
    std::snprintf(part, sizeof part, "%08x", static_cast<unsigned>(device()));
    out += part;
  }
  return out;
}

// Compares without stopping at the first difference: the time a wrong token takes says nothing.
bool same_secret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

}  // namespace

WhepServer::WhepServer(WhepServerOptions options, FindOutput find)
    : options_(std::move(options)),
      find_(std::move(find)),
      server_(std::make_unique<httplib::Server>()) {
  auto& s = *server_;
  bound_server(s, 2, 16, 5);
  s.set_payload_max_length(kMaxOffer);
  // Players served from elsewhere (a conference portal) may use the endpoint too; the token,
  // not the origin, is what lets them in.
  s.set_default_headers(
      {{"Access-Control-Allow-Origin", "*"}, {"Access-Control-Expose-Headers", "Location"}});
  auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
    if (options_.token.empty()) return true;
    const std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.rfind(prefix, 0) == 0 && same_secret(header.substr(prefix.size()), options_.token))
      return true;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content("a token is needed: Authorization: Bearer <output_whep.token>\n",
                    "text/plain; charset=utf-8");
    return false;
  };
  auto send = [](httplib::Response& res, const Reply& reply) {
    res.status = reply.status;
    if (!reply.location.empty()) res.set_header("Location", reply.location);
    res.set_content(reply.body, reply.content_type.c_str());
  };
  s.Post(R"(/([A-Za-z0-9_-]+)/whep/?)",
         [this, authorized, send](const httplib::Request& req, httplib::Response& res) {
           if (!authorized(req, res)) return;
           if (req.get_header_value("Content-Type").rfind("application/sdp", 0) != 0) {
             send(res, {415, "an offer is Content-Type: application/sdp\n"});
             return;
           }
           send(res, offer(req.matches[1], req.body));
         });
  s.Delete(R"(/([A-Za-z0-9_-]+)/whep/([0-9a-f]+))",
           [this, authorized, send](const httplib::Request& req, httplib::Response& res) {
             if (!authorized(req, res)) return;
             send(res, leave(req.matches[1], req.matches[2]));
           });
  // Trickle ICE (PATCH) is not offered: the answer carries every candidate.
  s.Patch(R"(/([A-Za-z0-9_-]+)/whep/([0-9a-f]+))",
          [send](const httplib::Request&, httplib::Response& res) {
            res.set_header("Allow", "DELETE");
            send(res, {405, "no trickle ICE: the answer has every candidate\n"});
          });
  s.Options(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    res.status = 204;
    res.set_header("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Content-Type, Authorization");
    res.set_header("Accept-Post", "application/sdp");
  });
  s.Get(R"(/([A-Za-z0-9_-]+)/?)", [this](const httplib::Request& req, httplib::Response& res) {
    auto it = options_.names.find(req.matches[1]);
    if (it == options_.names.end()) {
      res.status = 404;
      res.set_content("no output " + std::string(req.matches[1]) + " with a whep sink\n",
                      "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(whep_page(it->second), "text/html; charset=utf-8");
  });
  port_ = bind_and_listen(s, options_.host, options_.port, listener_);
  if (port_ <= 0)
    throw std::runtime_error("WHEP endpoint " + streams::url_host(options_.host) + ":" +
                             std::to_string(options_.port) +
                             ": cannot listen (in use, or not an address of this machine)");
  spdlog::info("WebRTC viewers (WHEP) on {}", page_url("<id>"));
}

WhepServer::~WhepServer() {
  server_->stop();
  if (listener_.joinable()) listener_.join();
  std::map<std::string, Viewer> gone;
  {
    std::lock_guard lock(mutex_);
    gone.swap(viewers_);
  }
  for (auto& entry : gone) end(entry.second);
}

std::string WhepServer::page_url(const std::string& id) const {
  return "http://" + streams::url_host(options_.host) + ":" + std::to_string(port_) + "/" + id +
         "/";
}

std::string WhepServer::endpoint_url(const std::string& id) const {
  return page_url(id) + "whep";
}

int WhepServer::viewers(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return viewers_of(id);
}

int WhepServer::viewers_of(const std::string& id) const {
  int n = 0;
  for (const auto& entry : viewers_) n += entry.second.output_id == id ? 1 : 0;
  return n;
}

void WhepServer::end(Viewer& viewer) {
  if (auto output = viewer.output.lock()) output->detach(viewer.session->key());
  viewer.session->stop();
}

void WhepServer::close_output(const std::string& id) {
  std::vector<Viewer> gone;
  {
    std::lock_guard lock(mutex_);
    for (auto it = viewers_.begin(); it != viewers_.end();) {
      if (it->second.output_id == id) {
        gone.push_back(std::move(it->second));
        it = viewers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Viewer& viewer : gone) end(viewer);
}

void WhepServer::reap() {
  std::vector<Viewer> gone;
  {
    std::lock_guard lock(mutex_);
    for (auto it = viewers_.begin(); it != viewers_.end();) {
      if (it->second.session->ended() || it->second.output.expired()) {
        spdlog::info("output {}: a WebRTC viewer left ({})", it->second.output_id,
                     it->second.session->state());
        gone.push_back(std::move(it->second));
        it = viewers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Viewer& viewer : gone) end(viewer);
}

WhepServer::Reply WhepServer::offer(const std::string& id, const std::string& sdp) {
  if (options_.names.count(id) == 0) return {404, "no output " + id + " with a whep sink\n"};
  std::shared_ptr<streams::LiveOutput> output = find_(id);
  if (!output) return {404, "output " + id + " is not running (wallctl output start " + id + ")\n"};
  std::string why;
  if (streams::choose_h264_payload(sdp, why).payload_type < 0) return {400, why + "\n"};
  reap();  // a place held by a viewer that is gone is free again
  {
    std::lock_guard lock(mutex_);
    if (negotiating_[id] + viewers_of(id) >= options_.max_viewers)
      return {503, "output " + id + " has its " + std::to_string(options_.max_viewers) +
                       " viewers (output_whep.max_viewers)\n"};
    ++negotiating_[id];
  }
  streams::WebRtcOptions webrtc;
  webrtc.output_id = id;
  webrtc.ice_addresses = options_.ice_addresses;
  auto session = std::make_unique<streams::WebRtcSession>(webrtc);
  std::string answer;
  const std::string error = session->negotiate(sdp, answer);
  std::lock_guard lock(mutex_);
  --negotiating_[id];
  if (!error.empty()) {
    spdlog::warn("output {}: a WebRTC viewer could not join: {}", id, error);
    // webrtcbin refusing the offer itself (no ICE credentials, no fingerprint) is the client's
    // mistake; anything after that is the daemon's.
    return {error.rfind("the offer was refused", 0) == 0 ? 400 : 500, error + "\n"};
  }
  output->attach(session->key(), session->appsrc());
  const std::string session_id = new_session_id();
  viewers_[session_id] = {id, std::move(session), output};
  spdlog::info("output {}: a WebRTC viewer joined ({} now)", id, viewers_of(id));
  return {201, answer, "application/sdp", "/" + id + "/whep/" + session_id};
}

WhepServer::Reply WhepServer::leave(const std::string& id, const std::string& session) {
  Viewer gone{};
  {
    std::lock_guard lock(mutex_);
    auto it = viewers_.find(session);
    if (it == viewers_.end() || it->second.output_id != id)
      return {404, "no such WebRTC session of output " + id + "\n"};
    gone = std::move(it->second);
    viewers_.erase(it);
  }
  end(gone);
  spdlog::info("output {}: a WebRTC viewer left", id);
  return {200, "", "text/plain; charset=utf-8"};
}

}  // namespace vw::controller::service
