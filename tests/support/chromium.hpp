// Debian's chromium, headless, as a real browser in the tests and benchmarks of the WebRTC
// outputs: it opens one page, and what the page logs to its console lands in the process's log,
// read back line by line.
// Threads: one owner thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace vw::testing {

// A page's WHEP client, for the probe pages of the tests and benchmarks: whepPlay(endpoint,
// token, log) makes a recvonly peer connection, posts its offer once ICE has gathered (with the
// bearer token when there is one), logs "post STATUS ..." and the connection's states through
// `log`, and returns the muted video element that plays what comes.
inline constexpr const char* kWhepPlayJs = R"JS(
function whepPlay(endpoint, token, log) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", {direction: "recvonly"});
  const video = document.createElement("video");
  video.muted = true; video.autoplay = true; video.playsInline = true;
  document.body.appendChild(video);
  pc.ontrack = (e) => { video.srcObject = new MediaStream([e.track]); };
  pc.onconnectionstatechange = () => log("connection " + pc.connectionState);
  (async () => {
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((done) => {
      if (pc.iceGatheringState === "complete") return done();
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === "complete") done(); };
      setTimeout(done, 3000);
    });
    const headers = {"Content-Type": "application/sdp"};
    if (token) headers["Authorization"] = "Bearer " + token;
    const res = await fetch(endpoint, {method: "POST", body: pc.localDescription.sdp, headers});
    const answer = await res.text();
    log("post " + res.status + " " + (res.status === 201 ? "" : answer));
    if (res.status === 201) await pc.setRemoteDescription({type: "answer", sdp: answer});
  })().catch((e) => log("error " + e));
  return video;
}
)JS";

// Headless chromium on `url`, its console in its log (INFO lines "...CONSOLE..." with the text).
class Chromium {
 public:
  Chromium(const std::filesystem::path& dir, const std::string& url) : dir_(dir) {
    namespace fs = std::filesystem;
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "profile");
    process_ = std::make_unique<DaemonProcess>(
        "/usr/bin/chromium",
        std::vector<std::string>{
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--user-data-dir=" + (dir_ / "profile").string(), "--enable-logging=stderr", "--v=0",
            // ICE between the browser and the daemon on 127.0.0.1 only: loopback candidates,
            // and plain addresses instead of mDNS names.
            "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
            "--autoplay-policy=no-user-gesture-required", url},
        (dir_ / "chromium.log").string());
    process_->start();
  }
  ~Chromium() { process_->stop(std::chrono::seconds(10)); }
  std::string log() const { return process_->log(); }
  // The console lines of `prefix` ("whep-probe: "), oldest first.
  std::vector<std::string> lines(const std::string& prefix) const {
    std::vector<std::string> out;
    std::istringstream in(log());
    for (std::string line; std::getline(in, line);) {
      const auto at = line.find(prefix);
      if (at == std::string::npos || line.find("CONSOLE") == std::string::npos) continue;
      std::string text = line.substr(at + prefix.size());
      if (const auto quote = text.find('"'); quote != std::string::npos) text.resize(quote);
      out.push_back(text);
    }
    return out;
  }
  // The last part of the log, for failure messages.
  std::string tail() const {
    const std::string all = log();
    return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<DaemonProcess> process_;
};

}  // namespace vw::testing
