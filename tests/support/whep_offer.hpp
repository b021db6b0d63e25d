// A WHEP client's SDP offer, written by hand for the tests of the WebRTC sink: what a browser
// posts, without a browser.
// Threads: any (a pure function).
#pragma once

#include <string>

namespace vw::testing {

// What a WHEP client posts: one recvonly video m-line offering VP8, H.264 constrained baseline
// (97), main (98) and main without packetization-mode 1 (99). The ICE credentials and the DTLS
// fingerprint are well-formed; nothing ever connects with them.
inline std::string whep_offer(bool with_h264 = true) {
  std::string fingerprint = "sha-256 ";
  for (int i = 0; i < 32; ++i) fingerprint += (i ? ":" : "") + std::string("AB");
  std::string sdp =
      "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n";
  sdp += with_h264 ? "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99\r\n"
                   : "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
  sdp +=
      "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:Wq3x\r\n"
      "a=ice-pwd:5bWq3xK9tJr2pLm8nD4vC1zY\r\na=ice-options:trickle\r\na=fingerprint:" +
      fingerprint +
      "\r\na=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
      "a=rtpmap:96 VP8/90000\r\n";
  if (with_h264)
    sdp +=
        "a=rtpmap:97 H264/90000\r\n"
        "a=fmtp:97 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
        "a=rtpmap:98 H264/90000\r\n"
        "a=rtcp-fb:98 nack\r\na=rtcp-fb:98 nack pli\r\n"
        "a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f\r\n"
        "a=rtpmap:99 H264/90000\r\n"
        "a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f\r\n";
  return sdp;
}

}  // namespace vw::testing
