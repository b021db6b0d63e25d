#include "streams/out/output_server.hpp"

#include <arpa/inet.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "streams/gst_init.hpp"
#include "streams/gst_ptr.hpp"

namespace vw::streams {

namespace {

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p != nullptr) g_object_unref(p);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

constexpr auto kStopBound = std::chrono::seconds(3);
// The role every configured user has: watch any mount.
constexpr const char* kViewerRole = "viewer";

std::string mount_path(const std::string& id) {
  return "/" + id;
}

// User data of one mount's factory and of each of its media: the output, weakly (a media that
// outlives an unmounted output feeds nothing).
struct MountBinding {
  std::weak_ptr<LiveOutput> output;
};

void delete_binding(gpointer data, GClosure*) {
  delete static_cast<MountBinding*>(data);
}

void on_unprepared(GstRTSPMedia* media, gpointer data) {
  if (auto output = static_cast<MountBinding*>(data)->output.lock()) output->detach(media);
}

void on_configure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer data) {
  auto output = static_cast<MountBinding*>(data)->output.lock();
  if (!output) return;
  gst::ElementPtr bin(gst_rtsp_media_get_element(media));
  gst::ElementPtr appsrc(gst_bin_get_by_name_recurse_up(GST_BIN(bin.get()), "coded"));
  if (!appsrc) {
    spdlog::error("output {}: the RTSP media has no appsrc", output->id());
    return;
  }
  g_signal_connect_data(media, "unprepared", G_CALLBACK(on_unprepared), new MountBinding{output},
                        delete_binding, GConnectFlags{});
  output->attach(media, appsrc.get());
}

// Client filter of unmount(): removes the client's sessions on the mount at `data` (a path).
GstRTSPFilterResult drop_session(GstRTSPClient*, GstRTSPSession* session, gpointer data) {
  gint matched = 0;
  const auto* path = static_cast<const std::string*>(data);
  return gst_rtsp_session_get_media(session, path->c_str(), &matched) != nullptr
             ? GST_RTSP_FILTER_REMOVE
             : GST_RTSP_FILTER_KEEP;
}

GstRTSPFilterResult drop_sessions_of(GstRTSPServer*, GstRTSPClient* client, gpointer data) {
  GList* kept = gst_rtsp_client_session_filter(client, drop_session, data);
  g_list_free_full(kept, g_object_unref);
  return GST_RTSP_FILTER_KEEP;
}

}  // namespace

struct OutputServer::Impl {
  OutputServerOptions options;
  GMainContext* context = g_main_context_new();
  GMainLoop* loop = g_main_loop_new(context, FALSE);
  std::atomic<int> port{0};
  std::thread thread;
  std::promise<void> finished;
  // Server thread only (after start): the server and its listening source.
  GObjectPtr<GstRTSPServer> server;
  GSource* listener = nullptr;

  mutable std::mutex mutex;  // guards the members below
  std::map<std::string, std::shared_ptr<LiveOutput>> mounted;
  GObjectPtr<GstRTSPSessionPool> pool;  // the server's sessions, for clients()

  ~Impl() {
    g_main_loop_unref(loop);
    g_main_context_unref(context);
  }

  // Runs `fn` on the server thread (the source keeps this Impl alive until then).
  void post(std::shared_ptr<Impl> self, std::function<void(Impl&)> fn) {
    struct Task {
      std::shared_ptr<Impl> self;
      std::function<void(Impl&)> fn;
    };
    GSource* idle = g_idle_source_new();
    g_source_set_callback(
        idle,
        [](gpointer p) -> gboolean {
          auto* task = static_cast<Task*>(p);
          task->fn(*task->self);
          return G_SOURCE_REMOVE;
        },
        new Task{std::move(self), std::move(fn)}, [](gpointer p) { delete static_cast<Task*>(p); });
    g_source_attach(idle, context);
    g_source_unref(idle);
  }

  std::string set_up() {
    server.reset(gst_rtsp_server_new());
    g_object_set(server.get(), "address", options.address.c_str(), "service",
                 std::to_string(options.port).c_str(), nullptr);
    GError* raw = nullptr;
    listener = gst_rtsp_server_create_source(server.get(), nullptr, &raw);
    gst::ErrorPtr error(raw);
    if (listener == nullptr) {
      return "cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " +
             (error ? error->message : "unknown error");
    }
    g_source_attach(listener, context);
    if (!options.users.empty()) {
      GObjectPtr<GstRTSPAuth> auth(gst_rtsp_auth_new());
      gst_rtsp_auth_set_supported_methods(auth.get(), GST_RTSP_AUTH_DIGEST);
      gst_rtsp_auth_set_realm(auth.get(), "videowall");
      GstRTSPToken* token = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING,
                                               kViewerRole, nullptr);
      for (const RtspUser& user : options.users)
        gst_rtsp_auth_add_digest(auth.get(), user.name.c_str(), user.password.c_str(), token);
      gst_rtsp_token_unref(token);
      gst_rtsp_server_set_auth(server.get(), auth.get());
    }
    port = gst_rtsp_server_get_bound_port(server.get());
    std::lock_guard lock(mutex);
    pool.reset(gst_rtsp_server_get_session_pool(server.get()));
    return {};
  }

  static GstRTSPFilterResult remove_client(GstRTSPServer*, GstRTSPClient*, gpointer) {
    return GST_RTSP_FILTER_REMOVE;
  }

  void run(std::promise<std::string>* started) {
    g_main_context_push_thread_default(context);
    const std::string error = set_up();
    started->set_value(error);
    if (error.empty()) g_main_loop_run(loop);
    if (listener != nullptr) {
      g_source_destroy(listener);
      g_source_unref(listener);
      listener = nullptr;
    }
    if (server) {
      GList* kept = gst_rtsp_server_client_filter(server.get(), remove_client, nullptr);
      g_list_free_full(kept, g_object_unref);
    }
    for (int i = 0; i < 200 && g_main_context_iteration(context, FALSE); ++i) {
    }
    {
      std::lock_guard lock(mutex);
      pool.reset();
    }
    server.reset();
    for (int i = 0; i < 200 && g_main_context_iteration(context, FALSE); ++i) {
    }
    g_main_context_pop_thread_default(context);
    finished.set_value();
  }
};

OutputServer::OutputServer(OutputServerOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
}

OutputServer::~OutputServer() {
  stop();
}

std::string OutputServer::start() {
  if (impl_->thread.joinable()) return "the output server is already running";
  ensure_gstreamer();
  std::promise<std::string> started;
  auto result = started.get_future();
  impl_->thread = std::thread([impl = impl_, &started] { impl->run(&started); });
  std::string error = result.get();
  if (!error.empty()) {
    impl_->thread.join();
    return error;
  }
  spdlog::info(
      "outputs: RTSP on {}:{} ({})", impl_->options.address, impl_->port.load(),
      impl_->options.users.empty()
          ? std::string("no authentication")
          : "digest authentication, " + std::to_string(impl_->options.users.size()) + " user(s)");
  return {};
}

void OutputServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->post(impl_, [](Impl& m) { g_main_loop_quit(m.loop); });
  auto finished = impl_->finished.get_future();
  if (finished.wait_for(kStopBound) == std::future_status::ready) {
    impl_->thread.join();
  } else {
    spdlog::error("outputs: the RTSP server thread did not stop within {} s; left running",
                  kStopBound.count());
    impl_->thread.detach();
  }
  std::lock_guard lock(impl_->mutex);
  impl_->mounted.clear();
}

int OutputServer::port() const {
  return impl_->port.load();
}

std::string url_host(const std::string& address) {
  if (address != "0.0.0.0" && address != "::")
    return address.find(':') != std::string::npos ? "[" + address + "]" : address;
  std::string v4, v6;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0 ||
          (i->ifa_flags & IFF_LOOPBACK) != 0)
        continue;
      char text[INET6_ADDRSTRLEN] = {};
      if (i->ifa_addr->sa_family == AF_INET && v4.empty()) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        if (::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text) != nullptr) v4 = text;
      } else if (i->ifa_addr->sa_family == AF_INET6 && v6.empty()) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
        if (!IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) &&
            ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text) != nullptr)
          v6 = std::string("[") + text + "]";
      }
    }
    ::freeifaddrs(list);
  }
  // Bound to every IPv6 address, v4-mapped clients come in too; IPv4 is what most receivers take.
  if (!v4.empty()) return v4;
  if (!v6.empty()) return v6;
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 && name[0] != '\0' ? name : "localhost";
}

std::string OutputServer::url(const std::string& id) const {
  return "rtsp://" + url_host(impl_->options.address) + ":" + std::to_string(port()) +
         mount_path(id);
}

void OutputServer::mount(std::shared_ptr<LiveOutput> output) {
  const std::string id = output->id();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->mounted[id] = output;
  }
  impl_->post(impl_, [id, weak = std::weak_ptr<LiveOutput>(output)](Impl& m) {
    if (!m.server) return;
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(
        factory,
        "( appsrc name=coded ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )");
    // A media per client: gst-rtsp-server pulls a shared media's next packet only when some
    // client can take it, so one client that stopped reading (its socket full) froze the mount
    // for every client until its session timed out. The encoding stays shared (LiveOutput);
    // each client costs only its parser and payloader, and a stuck one holds only its own.
    gst_rtsp_media_factory_set_shared(factory, FALSE);
    if (!m.options.users.empty()) {
      gst_rtsp_media_factory_add_role(factory, kViewerRole, GST_RTSP_PERM_MEDIA_FACTORY_ACCESS,
                                      G_TYPE_BOOLEAN, TRUE, GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT,
                                      G_TYPE_BOOLEAN, TRUE, nullptr);
    }
    g_signal_connect_data(factory, "media-configure", G_CALLBACK(on_configure),
                          new MountBinding{weak}, delete_binding, GConnectFlags{});
    GObjectPtr<GstRTSPMountPoints> mounts(gst_rtsp_server_get_mount_points(m.server.get()));
    gst_rtsp_mount_points_add_factory(mounts.get(), mount_path(id).c_str(), factory);
  });
}

void OutputServer::unmount(const std::string& id) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->mounted.erase(id);
  }
  impl_->post(impl_, [id](Impl& m) {
    if (!m.server) return;
    GObjectPtr<GstRTSPMountPoints> mounts(gst_rtsp_server_get_mount_points(m.server.get()));
    gst_rtsp_mount_points_remove_factory(mounts.get(), mount_path(id).c_str());
    // Clients watching it lose their sessions (others keep theirs).
    std::string path = mount_path(id);
    GList* kept = gst_rtsp_server_client_filter(m.server.get(), drop_sessions_of, &path);
    g_list_free_full(kept, g_object_unref);
  });
}

int OutputServer::clients(const std::string& id) const {
  GObjectPtr<GstRTSPSessionPool> pool;
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->pool) return 0;
    pool.reset(GST_RTSP_SESSION_POOL(g_object_ref(impl_->pool.get())));
  }
  struct Count {
    std::string path;
    int n = 0;
  } count{mount_path(id), 0};
  auto filter = [](GstRTSPSessionPool*, GstRTSPSession* session,
                   gpointer data) -> GstRTSPFilterResult {
    auto* c = static_cast<Count*>(data);
    gint matched = 0;
    if (gst_rtsp_session_get_media(session, c->path.c_str(), &matched) != nullptr) ++c->n;
    return GST_RTSP_FILTER_KEEP;
  };
  GList* kept = gst_rtsp_session_pool_filter(pool.get(), filter, &count);
  g_list_free_full(kept, g_object_unref);
  return count.n;
}

}  // namespace vw::streams
