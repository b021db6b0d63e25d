#include "controller/service/whep_page.hpp"

#include "renderer/utf8.hpp"

namespace vw::controller::service {

namespace {

// The page's script: WHEP without trickle (the offer goes once ICE has gathered), the token
// from the page's own ?token=, DELETE of the session when the page goes away.
constexpr const char* kScript = R"JS(
"use strict";
const video = document.getElementById("v"), state = document.getElementById("state");
const endpoint = location.pathname.replace(/\/+$/, "") + "/whep";
const token = new URLSearchParams(location.search).get("token");
let pc = null, resource = null, retry = null;
function show(text, log) {
  state.textContent = text;
  state.hidden = !text;
  console.log("videowall-whep: " + log);
}
function headers(extra) {
  const h = Object.assign({}, extra);
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}
function gathered(peer) {
  return new Promise((done) => {
    if (peer.iceGatheringState === "complete") return done();
    peer.addEventListener("icegatheringstatechange", () => {
      if (peer.iceGatheringState === "complete") done();
    });
    setTimeout(done, 2000);  // what has gathered by then is enough on a LAN
  });
}
function leave() {
  if (resource) {
    fetch(resource, {method: "DELETE", headers: headers({}), keepalive: true}).catch(() => {});
    resource = null;
  }
  if (pc) { pc.close(); pc = null; }
}
function again(why, log) {
  show(why + "，3 秒后重试", log);
  leave();
  clearTimeout(retry);
  retry = setTimeout(start, 3000);
}
async function start() {
  show("正在连接…", "connecting");
  const peer = new RTCPeerConnection();
  pc = peer;
  peer.addTransceiver("video", {direction: "recvonly"});
  peer.ontrack = (e) => { video.srcObject = e.streams[0] || new MediaStream([e.track]); };
  peer.onconnectionstatechange = () => {
    if (peer !== pc) return;
    if (peer.connectionState === "failed" || peer.connectionState === "disconnected")
      again("连接中断", "connection " + peer.connectionState);
  };
  try {
    await peer.setLocalDescription(await peer.createOffer());
    await gathered(peer);
    const res = await fetch(endpoint, {method: "POST",
        headers: headers({"Content-Type": "application/sdp"}), body: peer.localDescription.sdp});
    if (res.status !== 201) {
      const text = (await res.text()).trim();
      const why = {401: "需要授权（令牌错误或缺失）", 404: "该输出未启动",
                   503: "观看人数已满"}[res.status] || "服务器错误 " + res.status;
      return again(why, "refused " + res.status + " " + text);
    }
    const location_ = res.headers.get("Location");
    resource = location_ ? new URL(location_, location.href).href : null;
    await peer.setRemoteDescription({type: "answer", sdp: await res.text()});
  } catch (e) {
    again("连接失败", "error " + e);
  }
}
video.addEventListener("playing",
    () => show("", "playing " + video.videoWidth + "x" + video.videoHeight));
window.addEventListener("pagehide", leave);
start();
)JS";

}  // namespace

std::string whep_page(const std::string& title) {
  return "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<title>" +
         renderer::html_escaped(title) +
         " · 视频墙输出</title><style>"
         "html,body{margin:0;height:100%;background:#000;color:#ddd;"
         "font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif}"
         "video{width:100%;height:100%;object-fit:contain;background:#000}"
         "#state{position:fixed;left:12px;bottom:10px;font-size:15px;padding:4px 10px;"
         "background:rgba(0,0,0,.65);border-radius:4px}</style></head><body>"
         "<video id=\"v\" autoplay muted playsinline></video><div id=\"state\">正在连接…</div>"
         "<script>" +
         std::string(kScript) + "</script></body></html>\n";
}

}  // namespace vw::controller::service
