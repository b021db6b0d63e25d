// FrameMailbox and Wakeup (streams/frame_mailbox.hpp, streams/wakeup.hpp): the hand-off of
// decoded frames (newest wins; a burst's pair both shown) and the edge-triggered wake-up of the
// render thread. Accounting (published, consumed, dropped), release of replaced frames at once and
// outside the lock, bursts, notify only on the false -> true edge, and a producer and a consumer
// on two threads. Every wait is bounded.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "streams/frame_mailbox.hpp"
#include "streams/wakeup.hpp"
#include "tests/support/eventually.hpp"

namespace vw::streams {
namespace {

using namespace std::chrono_literals;

// A frame whose storage reports its release through `alive` (expired once released).
struct TestFrame {
  FramePtr frame;
  std::weak_ptr<void> alive;
};

using Clock = std::chrono::steady_clock;

// `received`: when the frame was decoded; the default (none) never makes a burst.
TestFrame make_frame(std::uint64_t sequence, Clock::time_point received = {}) {
  auto frame = std::make_shared<VideoFrame>();
  frame->sequence = sequence;
  frame->received = received;
  frame->width = 16;
  frame->height = 16;
  auto storage = std::make_shared<std::vector<std::uint8_t>>(16 * 16 * 3 / 2);
  frame->planes[0] = storage->data();
  frame->storage = storage;
  TestFrame out{std::move(frame), {}};
  out.alive = std::const_pointer_cast<VideoFrame>(out.frame)->storage;
  return out;
}

// Publishes a frame the mailbox holds the only reference to; returns its release witness.
std::weak_ptr<void> publish_only(FrameMailbox& mailbox, std::uint64_t sequence) {
  TestFrame f = make_frame(sequence);
  std::weak_ptr<void> alive = f.alive;
  mailbox.publish(std::move(f.frame));
  return alive;
}

TEST(FrameMailbox, StartsEmpty) {
  FrameMailbox mailbox;
  EXPECT_EQ(mailbox.peek(), nullptr);
  EXPECT_EQ(mailbox.take_newer(0), nullptr);
  EXPECT_EQ(mailbox.published(), 0u);
  EXPECT_EQ(mailbox.consumed(), 0u);
  EXPECT_EQ(mailbox.dropped(), 0u);
}

TEST(FrameMailbox, CountsPublishedConsumedAndDropped) {
  FrameMailbox mailbox;
  mailbox.publish(make_frame(1).frame);
  EXPECT_EQ(mailbox.published(), 1u);
  EXPECT_EQ(mailbox.dropped(), 0u);

  // Replaced before anyone took it: dropped.
  mailbox.publish(make_frame(2).frame);
  EXPECT_EQ(mailbox.published(), 2u);
  EXPECT_EQ(mailbox.dropped(), 1u);
  EXPECT_EQ(mailbox.consumed(), 0u);

  // Taken: consumed once, however often it is taken again.
  FramePtr taken = mailbox.take_newer(0);
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->sequence, 2u);
  EXPECT_EQ(mailbox.consumed(), 1u);
  EXPECT_EQ(mailbox.take_newer(2), nullptr);  // nothing newer than what the caller has
  EXPECT_EQ(mailbox.take_newer(5), nullptr);
  FramePtr again = mailbox.take_newer(1);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->sequence, 2u);
  EXPECT_EQ(mailbox.consumed(), 1u);

  // A consumed frame that is replaced is not a drop.
  mailbox.publish(make_frame(3).frame);
  EXPECT_EQ(mailbox.published(), 3u);
  EXPECT_EQ(mailbox.dropped(), 1u);

  // peek() does not consume: the frame is still a drop when replaced.
  FramePtr peeked = mailbox.peek();
  ASSERT_NE(peeked, nullptr);
  EXPECT_EQ(peeked->sequence, 3u);
  EXPECT_EQ(mailbox.consumed(), 1u);
  mailbox.publish(make_frame(4).frame);
  EXPECT_EQ(mailbox.dropped(), 2u);

  ASSERT_NE(mailbox.take_newer(3), nullptr);
  EXPECT_EQ(mailbox.consumed(), 2u);
  // published = consumed + dropped once the last frame was taken.
  EXPECT_EQ(mailbox.published(), mailbox.consumed() + mailbox.dropped());
}

TEST(FrameMailbox, ReplacedFrameIsReleasedAtOnce) {
  FrameMailbox mailbox;
  std::weak_ptr<void> first = publish_only(mailbox, 1);
  EXPECT_FALSE(first.expired());  // the mailbox holds it
  std::weak_ptr<void> second = publish_only(mailbox, 2);
  EXPECT_TRUE(first.expired()) << "the replaced frame must be released by publish()";
  EXPECT_FALSE(second.expired());

  // A frame the renderer still holds stays alive until the renderer lets go.
  FramePtr held = mailbox.take_newer(0);
  std::weak_ptr<void> third = publish_only(mailbox, 3);
  EXPECT_FALSE(second.expired());
  held.reset();
  EXPECT_TRUE(second.expired());
  EXPECT_FALSE(third.expired());
}

TEST(FrameMailbox, ClearDropsTheHeldFrameWithoutCountingIt) {
  FrameMailbox mailbox;
  std::weak_ptr<void> first = publish_only(mailbox, 1);
  mailbox.clear();
  EXPECT_TRUE(first.expired()) << "clear() must release the frame";
  EXPECT_EQ(mailbox.peek(), nullptr);
  EXPECT_EQ(mailbox.take_newer(0), nullptr);  // no stale frame survives a restart
  // A cleared frame was neither taken nor replaced.
  EXPECT_EQ(mailbox.published(), 1u);
  EXPECT_EQ(mailbox.consumed(), 0u);
  EXPECT_EQ(mailbox.dropped(), 0u);

  // The next frame after a clear lands in an empty slot: no drop.
  mailbox.publish(make_frame(2).frame);
  EXPECT_EQ(mailbox.dropped(), 0u);
  ASSERT_NE(mailbox.take_newer(0), nullptr);
  EXPECT_EQ(mailbox.consumed(), 1u);
  mailbox.clear();
  mailbox.clear();  // twice is harmless
  EXPECT_EQ(mailbox.peek(), nullptr);
}

// publish() and clear() release the old frame outside the mailbox's lock: a frame whose last
// release calls back into the mailbox (as a decoder buffer pool might, from any thread) must find
// the lock free. The release asks from a detached thread and waits a bounded time for the answer,
// so a release under the lock shows as a failure, not as a hang (the asking thread finishes once
// the lock is free, and the test waits for it before the mailbox goes away).
TEST(FrameMailbox, ReleasesOutsideItsLock) {
  FrameMailbox mailbox;
  std::atomic<int> releases{0}, lock_was_free{0}, askers_done{0};
  auto frame_calling_back = [&](std::uint64_t sequence) {
    auto frame = std::make_shared<VideoFrame>();
    frame->sequence = sequence;
    frame->storage = std::shared_ptr<void>(nullptr, [&](void*) {
      ++releases;
      auto answered = std::make_shared<std::promise<void>>();
      std::future<void> answer = answered->get_future();
      std::thread([&mailbox, &askers_done, answered] {
        (void)mailbox.peek();
        answered->set_value();
        ++askers_done;
      }).detach();
      if (answer.wait_for(2s) == std::future_status::ready) ++lock_was_free;
    });
    return frame;
  };
  mailbox.publish(frame_calling_back(1));
  mailbox.publish(make_frame(2).frame);  // releases frame 1
  EXPECT_EQ(releases.load(), 1);
  EXPECT_EQ(lock_was_free.load(), 1) << "publish() released the old frame under its lock";
  mailbox.publish(frame_calling_back(3));
  mailbox.clear();  // releases frame 3
  EXPECT_EQ(releases.load(), 2);
  EXPECT_EQ(lock_was_free.load(), 2) << "clear() released the frame under its lock";
  ASSERT_TRUE(testing::eventually([&] { return askers_done.load() == 2; }, 10s));
}

TEST(Wakeup, SignalsOnlyOnTheFalseToTrueEdge) {
  Wakeup wakeup;
  int hooks = 0;
  wakeup.set_hook([&] { ++hooks; });
  EXPECT_EQ(wakeup.notifies(), 0u);
  EXPECT_EQ(wakeup.signals(), 0u);
  EXPECT_FALSE(wakeup.consume());  // nothing pending

  wakeup.notify();
  wakeup.notify();
  wakeup.notify();
  EXPECT_EQ(wakeup.notifies(), 3u);
  EXPECT_EQ(wakeup.signals(), 1u);  // one wake-up while it is pending
  EXPECT_EQ(hooks, 1);

  EXPECT_TRUE(wakeup.consume());   // clears the flag
  EXPECT_FALSE(wakeup.consume());  // and only once
  wakeup.notify();                 // the next notify signals again
  EXPECT_EQ(wakeup.notifies(), 4u);
  EXPECT_EQ(wakeup.signals(), 2u);
  EXPECT_EQ(hooks, 2);

  // wait_for clears the flag too: a pending wake-up returns at once.
  EXPECT_TRUE(wakeup.wait_for(0ns));
  EXPECT_FALSE(wakeup.consume());
  wakeup.notify();
  EXPECT_EQ(wakeup.signals(), 3u);
  EXPECT_TRUE(wakeup.wait_for(10s));  // pending: returns without waiting
  EXPECT_EQ(hooks, 3);
}

TEST(Wakeup, WaitForTimesOutWhenNothingIsPending) {
  Wakeup wakeup;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(wakeup.wait_for(50ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
  EXPECT_EQ(wakeup.signals(), 0u);
}

TEST(Wakeup, NotifyFromAnotherThreadWakesAWaiter) {
  Wakeup wakeup;
  std::atomic<bool> waiting{false};
  auto woke = std::async(std::launch::async, [&] {
    waiting = true;
    return wakeup.wait_for(30s);
  });
  ASSERT_TRUE(testing::eventually([&] { return waiting.load(); }, 10s));
  wakeup.notify();
  ASSERT_EQ(woke.wait_for(10s), std::future_status::ready) << "notify did not wake the waiter";
  EXPECT_TRUE(woke.get());
  EXPECT_EQ(wakeup.signals(), 1u);
  EXPECT_FALSE(wakeup.consume());  // the waiter cleared it
}

TEST(FrameMailbox, NotifiesItsWakeupOnEveryPublish) {
  Wakeup wakeup;
  FrameMailbox mailbox(&wakeup);
  mailbox.publish(make_frame(1).frame);
  mailbox.publish(make_frame(2).frame);
  mailbox.publish(make_frame(3).frame);
  EXPECT_EQ(wakeup.notifies(), 3u);
  EXPECT_EQ(wakeup.signals(), 1u);  // the consumer has not woken: one signal
  EXPECT_TRUE(wakeup.consume());
  ASSERT_NE(mailbox.take_newer(0), nullptr);
  mailbox.publish(make_frame(4).frame);
  EXPECT_EQ(wakeup.notifies(), 4u);
  EXPECT_EQ(wakeup.signals(), 2u);
  // take_newer (with no burst waiting), peek and clear never notify.
  mailbox.take_newer(0);
  mailbox.peek();
  mailbox.clear();
  EXPECT_EQ(wakeup.notifies(), 4u);
}

// Two frames decoded less than kBurstGap apart are both shown, older first, and taking the older
// wakes the consumer for the newer; a third frame of a burst drops the middle one.
TEST(FrameMailbox, ShowsBothFramesOfABurstOlderFirst) {
  Wakeup wakeup;
  FrameMailbox mailbox(&wakeup);
  const Clock::time_point t0 = Clock::now();
  const auto gap = FrameMailbox::kBurstGap / 3;
  mailbox.publish(make_frame(1, t0).frame);
  mailbox.publish(make_frame(2, t0 + gap).frame);
  EXPECT_EQ(mailbox.dropped(), 0u) << "the older frame of a burst must be kept";
  EXPECT_EQ(mailbox.peek()->sequence, 2u);  // peek still sees the newest
  EXPECT_TRUE(wakeup.consume());

  FramePtr first = mailbox.take_newer(0);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->sequence, 1u);
  EXPECT_TRUE(wakeup.consume()) << "taking the older must wake the consumer for the newer";
  FramePtr second = mailbox.take_newer(first->sequence);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->sequence, 2u);
  EXPECT_FALSE(wakeup.consume()) << "nothing waits behind the newest";
  EXPECT_EQ(mailbox.take_newer(2), nullptr);
  EXPECT_EQ(mailbox.consumed(), 2u);

  // Three within the gap: the first and the last are shown, the middle one is dropped.
  mailbox.publish(make_frame(3, t0 + 10 * gap).frame);
  mailbox.publish(make_frame(4, t0 + 11 * gap).frame);
  mailbox.publish(make_frame(5, t0 + 12 * gap).frame);
  EXPECT_EQ(mailbox.dropped(), 1u);
  EXPECT_EQ(mailbox.take_newer(2)->sequence, 4u);
  EXPECT_EQ(mailbox.take_newer(4)->sequence, 5u);
  EXPECT_EQ(mailbox.published(), mailbox.consumed() + mailbox.dropped());
}

// Frames further apart than the gap are no burst: the renderer is behind and takes the newest.
// Both frames of a burst are released by clear(), and a pair the renderer never came back for
// counts its older frame as dropped.
TEST(FrameMailbox, FramesApartAreNoBurstAndClearReleasesBoth) {
  FrameMailbox mailbox;
  const Clock::time_point t0 = Clock::now();
  mailbox.publish(make_frame(1, t0).frame);
  mailbox.publish(make_frame(2, t0 + FrameMailbox::kBurstGap * 2).frame);
  EXPECT_EQ(mailbox.dropped(), 1u);
  EXPECT_EQ(mailbox.take_newer(0)->sequence, 2u);

  TestFrame a = make_frame(3, t0 + FrameMailbox::kBurstGap * 10);
  TestFrame b = make_frame(4, t0 + FrameMailbox::kBurstGap * 10 + std::chrono::milliseconds(1));
  std::weak_ptr<void> alive_a = a.alive, alive_b = b.alive;
  mailbox.publish(std::move(a.frame));
  mailbox.publish(std::move(b.frame));
  EXPECT_FALSE(alive_a.expired()) << "the older frame of a burst is kept";
  mailbox.clear();
  EXPECT_TRUE(alive_a.expired());
  EXPECT_TRUE(alive_b.expired());
  EXPECT_EQ(mailbox.take_newer(0), nullptr);

  // The renderer skips the older of a pair (it asks for frames after the newest it has).
  mailbox.publish(make_frame(5, t0 + FrameMailbox::kBurstGap * 20).frame);
  mailbox.publish(make_frame(6, t0 + FrameMailbox::kBurstGap * 20).frame);
  EXPECT_EQ(mailbox.take_newer(5)->sequence, 6u);
  EXPECT_EQ(mailbox.dropped(), 2u) << "the older frame, never taken, is a drop";
}

// A streaming thread publishes as fast as it can while the render thread takes what is newest,
// waiting on the wake-up like the render loop (consume() before reading the mailbox). Every frame
// is either consumed or dropped, the consumer only ever sees increasing sequences, and the last
// frame is not lost.
// Run twice: frames without a receive time, and frames stamped as they are published (a
// producer this fast makes nearly every pair a burst).
class ProducerConsumer : public ::testing::TestWithParam<bool> {};

TEST_P(ProducerConsumer, ThreadsAccountForEveryFrame) {
  constexpr std::uint64_t kFrames = 20000;
  const bool stamped = GetParam();
  Wakeup wakeup;
  FrameMailbox mailbox(&wakeup);
  std::atomic<bool> producer_done{false};
  std::thread producer([&] {
    for (std::uint64_t s = 1; s <= kFrames; ++s)
      mailbox.publish(make_frame(s, stamped ? Clock::now() : Clock::time_point{}).frame);
    producer_done = true;
  });

  std::uint64_t last = 0, taken = 0;
  bool increasing = true;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (last < kFrames && std::chrono::steady_clock::now() < deadline) {
    wakeup.wait_for(100ms);
    if (FramePtr frame = mailbox.take_newer(last)) {
      increasing = increasing && frame->sequence > last;
      last = frame->sequence;
      ++taken;
    }
  }
  producer.join();
  EXPECT_TRUE(producer_done.load());
  EXPECT_EQ(last, kFrames) << "the last frame published never reached the consumer";
  EXPECT_TRUE(increasing);
  EXPECT_EQ(mailbox.published(), kFrames);
  EXPECT_EQ(mailbox.consumed(), taken);
  EXPECT_EQ(mailbox.consumed() + mailbox.dropped(), kFrames);
  // Each publish notifies, and so does each take of a burst's older frame.
  EXPECT_GE(wakeup.notifies(), kFrames);
  if (!stamped) {
    EXPECT_EQ(wakeup.notifies(), kFrames);
  }
  EXPECT_LE(wakeup.signals(), wakeup.notifies());
  EXPECT_GE(wakeup.signals(), 1u);
}

INSTANTIATE_TEST_SUITE_P(FrameMailbox, ProducerConsumer, ::testing::Bool());

}  // namespace
}  // namespace vw::streams
