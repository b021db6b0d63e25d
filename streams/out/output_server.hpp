// The RTSP server of the live outputs (gst-rtsp-server): each started output is a mount,
// rtsp://ADDRESS:PORT/<id>, with a media per client (appsrc ! h264parse ! rtph264pay, fed the
// output's encoded access units by LiveOutput): an output is encoded once however many clients
// watch, and a client that stops reading holds up only its own media (a shared one froze every
// client of the mount: gst-rtsp-server sends its next packet only when some client has room). With
// users, every request needs RTSP digest authentication (realm "videowall") as one of them; without
// users the caller keeps the address on loopback (the config refuses anything else).
//
// Threads: start() spawns the server thread, which owns the GstRTSPServer and runs a private
// GMainContext (never the default one). mount(), unmount(), clients() and port() may be called
// from any thread once start() returned; start() and stop() from the owner's thread. stop()
// closes every client and joins the thread within a bound (a stuck thread is detached, logged).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "streams/out/live_output.hpp"

namespace vw::streams {

struct RtspUser {
  std::string name;
  std::string password;
};

struct OutputServerOptions {
  std::string address = "127.0.0.1";
  int port = 8555;              // 0: any free port (tests)
  std::vector<RtspUser> users;  // none: no authentication
};

// The host part of a URL a receiver can use for something bound to `address`: the address
// itself, in brackets when it is IPv6; for the any-address (0.0.0.0, ::) this machine's first
// address off loopback (IPv4 first), else its host name. Any thread.
std::string url_host(const std::string& address);

class OutputServer {
 public:
  explicit OutputServer(OutputServerOptions options);
  ~OutputServer();  // stop()
  OutputServer(const OutputServer&) = delete;
  OutputServer& operator=(const OutputServer&) = delete;

  // Binds and serves. "" or why not (port in use...).
  std::string start();
  void stop();

  int port() const;                              // bound port, 0 before start()
  std::string url(const std::string& id) const;  // rtsp://url_host(address):port/id

  // Serves `output` at /<id> (replacing a mount of the same id); the server keeps a reference
  // until unmount().
  void mount(std::shared_ptr<LiveOutput> output);
  // Removes the mount and closes the sessions of its clients.
  void unmount(const std::string& id);
  // RTSP sessions watching /<id> now.
  int clients(const std::string& id) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vw::streams
