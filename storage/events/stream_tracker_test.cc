#include "storage/events/stream_tracker.h"

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace myelin::storage {
namespace {

TEST(StreamTrackerTest, PublishesOnlyTheFinishedPrefix) {
  StreamTracker tracker(10);
  EXPECT_EQ(tracker.Published(), 10u);
  StreamPos a = tracker.Reserve(), b = tracker.Reserve(), c = tracker.Reserve();
  EXPECT_EQ(a, 11u);
  EXPECT_EQ(c, 13u);
  EXPECT_EQ(tracker.LastReserved(), 13u);
  tracker.Finish(c);
  EXPECT_EQ(tracker.Published(), 10u);  // 11 and 12 still in flight
  tracker.Finish(a);
  EXPECT_EQ(tracker.Published(), 11u);
  tracker.Finish(b);  // an abandoned write counts as finished too
  EXPECT_EQ(tracker.Published(), 13u);
  tracker.Finish(b);  // twice: ignored
  EXPECT_EQ(tracker.Published(), 13u);
}

TEST(StreamTrackerTest, WaitForPublishedWakesOrTimesOut) {
  StreamTracker tracker(0);
  StreamPos pos = tracker.Reserve();
  EXPECT_EQ(tracker.WaitForPublished(pos, absl::Now() + absl::Milliseconds(20)),
            0u);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    tracker.Finish(pos);
  });
  EXPECT_EQ(tracker.WaitForPublished(pos, absl::Now() + absl::Seconds(30)),
            pos);
  writer.join();
}

TEST(StreamTrackerTest, ListenersSeeIncreasingPositions) {
  StreamTracker tracker(0);
  std::vector<StreamPos> seen;
  int id = tracker.AddListener([&](StreamPos p) { seen.push_back(p); });
  StreamPos a = tracker.Reserve(), b = tracker.Reserve();
  tracker.Finish(b);
  EXPECT_TRUE(seen.empty());
  tracker.Finish(a);
  EXPECT_EQ(seen, std::vector<StreamPos>{2});
  tracker.RemoveListener(id);
  tracker.Finish(tracker.Reserve());
  EXPECT_EQ(seen, std::vector<StreamPos>{2});
}

// Writers finish in random order; a reader checks that every position at
// or below Published() has really finished, whenever it looks.
TEST(StreamTrackerTest, ConcurrentOutOfOrderWritersNeverPublishInFlight) {
  constexpr int kWriters = 6, kPerWriter = 2000;
  StreamTracker tracker(0);
  std::vector<std::atomic<bool>> done(kWriters * kPerWriter + 1);
  std::atomic<bool> stop{false};
  std::atomic<int> violations{0};
  std::atomic<StreamPos> last_notified{0};
  std::atomic<int> notify_regressions{0};
  tracker.AddListener([&](StreamPos p) {
    if (p < last_notified.exchange(p)) ++notify_regressions;
  });
  std::thread reader([&] {
    StreamPos checked = 0;
    while (!stop) {
      StreamPos published = tracker.Published();
      if (published < checked) ++violations;
      for (; checked < published; ++checked) {
        if (!done[checked + 1]) ++violations;
      }
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (int i = 0; i < kPerWriter; ++i) {
        StreamPos pos = tracker.Reserve();
        if (rng() % 8 == 0) std::this_thread::yield();
        done[pos] = true;
        tracker.Finish(pos);
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  reader.join();
  EXPECT_EQ(violations, 0);
  EXPECT_EQ(notify_regressions, 0);
  EXPECT_EQ(tracker.Published(), StreamPos{kWriters * kPerWriter});
}

}  // namespace
}  // namespace myelin::storage
