// TeardownQueue (streams/teardown_queue.hpp) with real StreamPipelines playing from a real RTSP
// server (videowall-camsim in a child process): retired pipelines are torn down off the caller's
// thread, and one whose teardown blocks holds shutdown() (and the destructor) no longer than the
// bound, while the pipelines retired before it are torn down and those behind it follow once it
// comes free.
//
// The blocking teardown is a real one: this binary registers an RTP "depayloader" element ranked
// above every real one, so decodebin plugs it into each pipeline. For the pipeline named
// vw:stuck_main its chain function blocks the streaming thread (which holds the sink pad's stream
// lock) until the test opens a gate; setting that pipeline to NULL then blocks in the element's
// pad deactivation, which must take that lock: exactly how a decoder or sink stuck in a streaming
// call blocks a state change. Every wait is bounded; the gate is opened on every way out.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "streams/gst_init.hpp"
#include "streams/stream_pipeline.hpp"
#include "streams/teardown_queue.hpp"
#include "tests/support/camsim_process.hpp"
#include "tests/support/eventually.hpp"

namespace vw::streams {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using testing::CamsimProcess;
using testing::eventually;

constexpr auto kStartup = 20s;              // bound for a pipeline's first buffer
constexpr char kStuck[] = "vw:stuck_main";  // the GStreamer name of pipeline "stuck/main"

// Where the test element's streaming threads report and where the stuck one waits.
class Gate {
 public:
  // Called by the element's chain function for every buffer of pipeline `pipeline`.
  GstFlowReturn pass(const std::string& pipeline) {
    std::unique_lock lock(mutex_);
    ++buffers_[pipeline];
    if (pipeline != kStuck || open_) return GST_FLOW_OK;
    blocked_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    blocked_ = false;
    return GST_FLOW_FLUSHING;
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  int buffers(const std::string& pipeline) const {
    std::lock_guard lock(mutex_);
    auto it = buffers_.find(pipeline);
    return it == buffers_.end() ? 0 : it->second;
  }
  bool blocked() const {
    std::lock_guard lock(mutex_);
    return blocked_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, int> buffers_;
  bool open_ = false;
  bool blocked_ = false;
};

Gate& gate() {
  static Gate* g = new Gate;  // never destroyed: streaming threads of leaked pipelines may call
  return *g;
}

// Opens the gate when the test leaves, however it leaves, so no streaming thread stays blocked.
struct OpenOnExit {
  OpenOnExit() { gate().close(); }
  ~OpenOnExit() { gate().open(); }
};

// ---- the test element: sink application/x-rtp, drops every buffer (blocks for kStuck).

GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                                                             GST_STATIC_CAPS("application/x-rtp"));
GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-h264"));

std::string top_level_name(GstObject* object) {
  GstObject* top = GST_OBJECT(gst_object_ref(object));
  while (GstObject* up = gst_object_get_parent(top)) {
    gst_object_unref(top);
    top = up;
  }
  std::string name = GST_OBJECT_NAME(top) != nullptr ? GST_OBJECT_NAME(top) : "";
  gst_object_unref(top);
  return name;
}

GstFlowReturn block_chain(GstPad*, GstObject* parent, GstBuffer* buffer) {
  gst_buffer_unref(buffer);
  return gate().pass(top_level_name(parent));
}

// Swallows every event: nothing goes downstream, so decodebin plugs nothing after it.
gboolean block_event(GstPad*, GstObject*, GstEvent* event) {
  gst_event_unref(event);
  return TRUE;
}

void block_class_init(gpointer klass, gpointer) {
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  gst_element_class_set_static_metadata(
      element_class, "videowall test blocking depayloader", "Codec/Depayloader/Network/RTP",
      "Drops RTP; blocks one pipeline's streaming thread", "videowall tests");
  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
}

void block_instance_init(GTypeInstance* instance, gpointer) {
  GstElement* element = GST_ELEMENT(instance);
  GstPad* sink = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_chain_function(sink, block_chain);
  gst_pad_set_event_function(sink, block_event);
  gst_element_add_pad(element, sink);
  gst_element_add_pad(element, gst_pad_new_from_static_template(&src_template, "src"));
}

bool register_blocking_depayloader() {
  static const bool registered = [] {
    ensure_gstreamer();
    GType type = g_type_register_static_simple(
        GST_TYPE_ELEMENT, "VwTestBlockingDepay", sizeof(GstElementClass), block_class_init,
        sizeof(GstElement), block_instance_init, GTypeFlags(0));
    return gst_element_register(nullptr, "vwtestblockingdepay", GST_RANK_PRIMARY + 100, type) ==
           TRUE;
  }();
  return registered;
}

// ---- pipelines

// One playing pipeline and the witness of its end: its counters are held only by the pipeline
// and by its GStreamer callbacks, so `alive` expires once the pipeline and its elements are gone.
struct Playing {
  std::string name;  // its GStreamer pipeline's name
  std::unique_ptr<StreamPipeline> pipeline;
  std::weak_ptr<StreamCounters> alive;
};

Playing play(const std::string& key, const CamsimProcess& camera) {
  StreamSpec spec;
  spec.key = key + "/main";
  spec.url = camera.url("/cam");
  auto channel = std::make_shared<StreamChannel>(spec.key, spec.url, nullptr);
  auto counters = std::make_shared<StreamCounters>();
  Playing p;
  p.name = "vw:" + key + "_main";
  p.alive = counters;
  p.pipeline = std::make_unique<StreamPipeline>(spec, channel, std::move(counters),
                                                std::make_shared<Wakeup>());
  if (auto error = p.pipeline->start()) ADD_FAILURE() << key << ": " << *error;
  return p;
}

bool receiving(const Playing& p) {
  return eventually([&] { return gate().buffers(p.name) > 0; }, kStartup);
}

long long ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

class TeardownQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(register_blocking_depayloader());
    camera_.start();
  }
  CamsimProcess camera_{{{"/cam", 0x2060a0, 320, 240, "h264", 25}}};
};

TEST_F(TeardownQueueTest, TearsDownEveryRetiredPipeline) {
  OpenOnExit gate_guard;
  std::vector<Playing> playing;
  for (const char* key : {"a", "b", "c"}) playing.push_back(play(key, camera_));
  for (const auto& p : playing) ASSERT_TRUE(receiving(p)) << p.name << " never got a buffer";

  TeardownQueue queue;
  for (auto& p : playing) {
    p.pipeline->deactivate();
    queue.post(std::move(p.pipeline));
  }
  queue.post(nullptr);  // ignored
  ASSERT_TRUE(eventually([&] { return queue.pending() == 0; }, 20s));
  for (const auto& p : playing) EXPECT_TRUE(p.alive.expired()) << p.name << " was not freed";
  EXPECT_TRUE(queue.shutdown(2000ms));
  EXPECT_TRUE(queue.shutdown(2000ms));  // a second shutdown is a no-op
}

// The daemon's shutdown (and a reconfiguration) waits on TeardownQueue::shutdown: a pipeline
// whose teardown never finishes must cost it the bound and no more, and is leaked rather than
// freed under a thread that still uses it.
TEST_F(TeardownQueueTest, AStuckTeardownHoldsShutdownOnlyForItsBound) {
  OpenOnExit gate_guard;
  Playing before = play("before", camera_);
  Playing stuck = play("stuck", camera_);
  Playing behind = play("behind", camera_);
  ASSERT_TRUE(receiving(before));
  ASSERT_TRUE(receiving(behind));
  ASSERT_TRUE(eventually([] { return gate().blocked(); }, kStartup))
      << "the stuck pipeline's streaming thread never reached the test element";

  TeardownQueue queue;
  for (Playing* p : {&before, &stuck, &behind}) {
    p->pipeline->deactivate();
    const auto posted = Clock::now();
    queue.post(std::move(p->pipeline));
    EXPECT_LT(Clock::now() - posted, 1s) << "post() waited on a teardown";
  }
  // The one retired before the stuck one is torn down; the worker then stays in the stuck one.
  ASSERT_TRUE(eventually([&] { return before.alive.expired(); }, 20s));
  ASSERT_TRUE(eventually([&] { return queue.pending() == 2; }, 5s)) << queue.pending();

  constexpr auto kBound = 500ms;
  const auto started = Clock::now();
  EXPECT_FALSE(queue.shutdown(kBound)) << "shutdown reported a stuck teardown as finished";
  const auto took = Clock::now() - started;
  EXPECT_GE(took, kBound);
  EXPECT_LT(took, kBound + 1500ms) << "shutdown took " << ms(took) << " ms";

  // Still stuck: the stuck pipeline and the one queued behind it are leaked, not freed.
  EXPECT_TRUE(gate().blocked());
  EXPECT_FALSE(stuck.alive.expired());
  EXPECT_FALSE(behind.alive.expired());
  EXPECT_EQ(queue.pending(), 2u);
  const auto again = Clock::now();
  EXPECT_FALSE(queue.shutdown(kBound)) << "a second shutdown said the stuck teardown finished";
  EXPECT_LT(Clock::now() - again, kBound) << "a second shutdown waited again";

  // Once the stuck teardown comes free, the detached worker finishes it and the one behind it,
  // on state it still owns (the sanitizer build catches any use of freed memory here).
  gate().open();
  EXPECT_TRUE(eventually([&] { return stuck.alive.expired() && behind.alive.expired(); }, 20s))
      << "the leaked pipelines were never torn down after the block ended";
  EXPECT_TRUE(eventually([&] { return queue.pending() == 0; }, 5s)) << queue.pending();
  EXPECT_TRUE(queue.shutdown(kBound)) << "every teardown has finished by now";
}

// StreamManager relies on the destructor's own bound (2 s) when nobody called shutdown().
TEST_F(TeardownQueueTest, DestructorWithAStuckTeardownReturnsWithinItsBound) {
  OpenOnExit gate_guard;
  Playing stuck = play("stuck", camera_);
  ASSERT_TRUE(eventually([] { return gate().blocked(); }, kStartup));
  auto queue = std::make_unique<TeardownQueue>();
  stuck.pipeline->deactivate();
  queue->post(std::move(stuck.pipeline));
  ASSERT_TRUE(eventually([&] { return queue->pending() == 1; }, 5s));

  const auto started = Clock::now();
  queue.reset();
  const auto took = Clock::now() - started;
  EXPECT_GE(took, 2000ms);
  EXPECT_LT(took, 3500ms) << "the destructor took " << ms(took) << " ms";
  EXPECT_FALSE(stuck.alive.expired());

  gate().open();
  EXPECT_TRUE(eventually([&] { return stuck.alive.expired(); }, 20s))
      << "the leaked pipeline was never torn down after the block ended";
}

}  // namespace
}  // namespace vw::streams
