// videowall-hostile-camera: an RTSP "camera" on 127.0.0.1 that misbehaves in one chosen way, for
// the tests that show a hostile server costs only its own tile
// (tests/streams/test_hostile_cameras). Prints "LISTENING <port>" on stdout once it accepts
// connections; serves each connection on a thread of its own until the client leaves or the process
// is killed.
//
//   videowall-hostile-camera --role ROLE [--port N]
//
// Roles:
//   huge-sdp          DESCRIBE answered with a 10 MB SDP (Content-Length: 10485760)
//   endless-headers   DESCRIBE answered with a status line and then header lines forever
//   redirect-loop     every DESCRIBE redirected (302) to another path on this server, forever
//   describe-silence  OPTIONS and DESCRIBE answered (valid H.264 SDP), then nothing ever again
//   slowloris         every reply trickled out one byte a second
//   garbage           a correct session (SETUP, PLAY over TCP), then RTP whose payload is noise
//   rtp-jumps         real H.264 (x264enc, 320x240 @ 25), RTP sequence numbers and timestamps
//                     jumping by absurd amounts every 20 packets
#include <arpa/inet.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

std::string g_role;
int g_port = 0;

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads one request (up to the blank line; bodies are not expected from rtspsrc) within `wait`.
// Returns false when the client left. Interleaved data ('$' frames: RTCP) is skipped.
bool read_request(int fd, std::string& buffer, std::string& request,
                  std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    while (!buffer.empty() && buffer[0] == '$') {
      if (buffer.size() < 4) break;
      std::size_t length =
          (static_cast<unsigned char>(buffer[2]) << 8) | static_cast<unsigned char>(buffer[3]);
      if (buffer.size() < 4 + length) break;
      buffer.erase(0, 4 + length);
    }
    std::size_t end = buffer.find("\r\n\r\n");
    if (!buffer.empty() && buffer[0] != '$' && end != std::string::npos) {
      request = buffer.substr(0, end + 4);
      buffer.erase(0, end + 4);
      return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      request.clear();
      return true;  // nothing within `wait`
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string method_of(const std::string& request) {
  return request.substr(0, request.find(' '));
}

std::string cseq_of(const std::string& request) {
  std::size_t at = request.find("CSeq:");
  if (at == std::string::npos) return "0";
  at += 5;
  while (at < request.size() && request[at] == ' ') ++at;
  return request.substr(at, request.find("\r\n", at) - at);
}

std::string reply(const std::string& request, const std::string& status,
                  const std::string& headers = {}, const std::string& body = {}) {
  std::string out = "RTSP/1.0 " + status + "\r\nCSeq: " + cseq_of(request) + "\r\n" + headers;
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

const std::string kSdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=hostile\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 packetization-mode=1;profile-level-id=42e01e\r\na=control:stream=0\r\n";

std::string base_url() {
  return "rtsp://127.0.0.1:" + std::to_string(g_port) + "/";
}

std::string interleaved(const std::string& packet) {
  std::string frame = "$";
  frame += '\0';
  frame += static_cast<char>((packet.size() >> 8) & 0xff);
  frame += static_cast<char>(packet.size() & 0xff);
  return frame + packet;
}

// Real H.264 in RTP packets from a GStreamer encoder, for rtp-jumps.
class H264Packets {
 public:
  H264Packets() {
    GError* error = nullptr;
    pipeline_ = gst_parse_launch(
        "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1"
        " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25"
        " ! rtph264pay config-interval=1 pt=96 mtu=1400 ! appsink name=out max-buffers=200 "
        "sync=false",
        &error);
    if (pipeline_ == nullptr) {
      std::fprintf(stderr, "hostile: %s\n", error ? error->message : "pipeline failed");
      std::exit(1);
    }
    sink_ = gst_bin_get_by_name(GST_BIN(pipeline_), "out");
    gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  }
  ~H264Packets() {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(sink_);
    gst_object_unref(pipeline_);
  }
  // The next RTP packet, or empty after 1 s without one.
  std::string next() {
    GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), GST_SECOND);
    if (sample == nullptr) return {};
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    GstMapInfo map;
    std::string packet;
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      packet.assign(reinterpret_cast<const char*>(map.data), map.size);
      gst_buffer_unmap(buffer, &map);
    }
    gst_sample_unref(sample);
    return packet;
  }

 private:
  GstElement* pipeline_ = nullptr;
  GstElement* sink_ = nullptr;
};

// After PLAY: sends RTP (noise or jumping real H.264) and answers keep-alives until the client
// leaves.
void stream(int fd, std::string& buffer) {
  std::mt19937 rng(42);
  std::unique_ptr<H264Packets> h264;
  if (g_role == "rtp-jumps") h264 = std::make_unique<H264Packets>();
  std::uint16_t seq = 1;
  std::uint32_t timestamp = 1000;
  for (std::uint64_t n = 0;; ++n) {
    std::string packet;
    if (h264) {
      packet = h264->next();
      if (packet.size() < 12) continue;
      if (n % 20 == 0) {
        seq = static_cast<std::uint16_t>(seq + 20000 + rng() % 20000);
        timestamp += 90000u * (1 + rng() % 3600);  // up to an hour ahead
      }
      ++seq;
      packet[2] = static_cast<char>(seq >> 8);
      packet[3] = static_cast<char>(seq & 0xff);
      for (int i = 0; i < 4; ++i) packet[4 + i] = static_cast<char>(timestamp >> (24 - 8 * i));
    } else {
      packet.resize(1200);
      for (char& c : packet) c = static_cast<char>(rng());
      packet[0] = static_cast<char>(0x80);  // RTP version 2
      packet[1] = static_cast<char>(96 | (n % 4 == 3 ? 0x80 : 0));
      ++seq;
      timestamp += 900;
      packet[2] = static_cast<char>(seq >> 8);
      packet[3] = static_cast<char>(seq & 0xff);
      for (int i = 0; i < 4; ++i) packet[4 + i] = static_cast<char>(timestamp >> (24 - 8 * i));
      std::this_thread::sleep_for(10ms);
    }
    if (!send_all(fd, interleaved(packet))) return;
    std::string request;
    if (!read_request(fd, buffer, request, 0ms)) return;
    if (!request.empty()) {
      if (method_of(request) == "TEARDOWN") {
        send_all(fd, reply(request, "200 OK", "Session: 12345678\r\n"));
        return;
      }
      if (!send_all(fd, reply(request, "200 OK", "Session: 12345678\r\n"))) return;
    }
  }
}

void serve(int fd) {
  std::string buffer, request;
  int redirects = 0;
  while (read_request(fd, buffer, request, 3600s)) {
    if (request.empty()) continue;
    const std::string method = method_of(request);
    if (g_role == "slowloris") {
      for (char c : reply(request, "200 OK", "Public: OPTIONS, DESCRIBE, SETUP, PLAY\r\n")) {
        if (!send_all(fd, std::string(1, c))) return;
        std::this_thread::sleep_for(1s);
      }
      continue;
    }
    if (method == "OPTIONS") {
      if (!send_all(fd,
                    reply(request, "200 OK",
                          "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n")))
        return;
      continue;
    }
    if (method == "DESCRIBE") {
      if (g_role == "huge-sdp") {
        std::string head = "RTSP/1.0 200 OK\r\nCSeq: " + cseq_of(request) +
                           "\r\nContent-Type: application/sdp\r\nContent-Length: 10485760\r\n\r\n";
        std::string body = kSdp;
        std::string line = "a=x-junk:" + std::string(1000, 'x') + "\r\n";
        while (body.size() + line.size() <= 10485760) body += line;
        body.resize(10485760, 'x');
        if (!send_all(fd, head + body)) return;
        continue;
      }
      if (g_role == "endless-headers") {
        if (!send_all(fd, "RTSP/1.0 200 OK\r\nCSeq: " + cseq_of(request) + "\r\n")) return;
        const std::string line = "X-Junk: " + std::string(200, 'j') + "\r\n";
        for (;;) {
          if (!send_all(fd, line)) return;
        }
      }
      if (g_role == "redirect-loop") {
        ++redirects;
        if (!send_all(
                fd, reply(request, "302 Moved Temporarily",
                          "Location: " + base_url() + "loop" + std::to_string(redirects) + "\r\n")))
          return;
        continue;
      }
      if (!send_all(
              fd, reply(request, "200 OK",
                        "Content-Type: application/sdp\r\nContent-Base: " + base_url() + "cam/\r\n",
                        kSdp)))
        return;
      if (g_role == "describe-silence") {
        while (read_request(fd, buffer, request, 3600s)) {
        }
        return;
      }
      continue;
    }
    if (method == "SETUP") {
      if (!send_all(fd, reply(request, "200 OK",
                              "Session: 12345678;timeout=60\r\n"
                              "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")))
        return;
      continue;
    }
    if (method == "PLAY") {
      if (!send_all(fd, reply(request, "200 OK", "Session: 12345678\r\nRange: npt=0.000-\r\n")))
        return;
      stream(fd, buffer);
      return;
    }
    if (!send_all(fd, reply(request, "200 OK", "Session: 12345678\r\n"))) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--role") == 0)
      g_role = argv[i + 1];
    else if (std::strcmp(argv[i], "--port") == 0)
      g_port = std::atoi(argv[i + 1]);
  }
  const std::vector<std::string> roles{"huge-sdp",         "endless-headers", "redirect-loop",
                                       "describe-silence", "slowloris",       "garbage",
                                       "rtp-jumps"};
  if (std::find(roles.begin(), roles.end(), g_role) == roles.end()) {
    std::fprintf(stderr, "usage: videowall-hostile-camera --role ROLE [--port N]; roles:");
    for (const auto& r : roles) std::fprintf(stderr, " %s", r.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  gst_init(&argc, &argv);
  signal(SIGPIPE, SIG_IGN);
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(g_port));
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 16) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("hostile: bind 127.0.0.1");
    return 1;
  }
  g_port = ntohs(address.sin_port);
  std::printf("LISTENING %d\n", g_port);
  std::fflush(stdout);
  for (;;) {
    int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::thread([client] {
      serve(client);
      ::close(client);
    }).detach();
  }
}
