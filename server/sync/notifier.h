// Wakes /sync long-polls when something for their user changes, without
// polling the database (Spec: client-server-api, GET /sync `timeout`).
//
//   std::shared_ptr<SyncNotifier::Waiter> waiter = notifier.Subscribe(user);
//   ... compute the response; if it is empty:
//   waiter->OnWake([] { ...compute again... });
//
// Subscribing *before* computing closes the race with a change that lands
// in between: such a change wakes the waiter, and OnWake then runs its
// callback at once.
//
// Sources: the event stream (a listener on the EventStore's StreamTracker;
// the joined members of each room with a new event are woken, and the
// target of a membership event), and explicit calls for the other streams
// (WakeUser for account data and to-device, WakeRoom for typing and
// receipts, WakeRoomsOfUser for presence). Resolving rooms to members reads
// the database, so it runs on the notifier's own thread, never on the
// writer's.
//
// Thread-safe.
#ifndef MYELIN_SERVER_SYNC_NOTIFIER_H_
#define MYELIN_SERVER_SYNC_NOTIFIER_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "storage/events/event_store.h"

namespace myelin::sync {

class SyncNotifier {
 public:
  // One-shot: woken at most once, then forgotten by the notifier.
  class Waiter {
   public:
    // Runs `on_wake` once the waiter is woken (at once if it already was),
    // on the waking thread. Call at most once.
    void OnWake(std::function<void()> on_wake);

   private:
    friend class SyncNotifier;
    void Wake();

    absl::Mutex mu_;
    bool woken_ ABSL_GUARDED_BY(mu_) = false;
    std::function<void()> on_wake_ ABSL_GUARDED_BY(mu_);
  };

  // Listens to `store`'s stream until destroyed. `store` must outlive it.
  explicit SyncNotifier(storage::EventStore* store);
  ~SyncNotifier();
  SyncNotifier(const SyncNotifier&) = delete;
  SyncNotifier& operator=(const SyncNotifier&) = delete;

  std::shared_ptr<Waiter> Subscribe(std::string_view user_id);
  // Drops a waiter that was not woken (its request finished another way).
  void Unsubscribe(std::string_view user_id, const std::shared_ptr<Waiter>& waiter);

  void WakeUser(std::string_view user_id);
  // The room's joined members.
  void WakeRoom(std::string_view room_id);
  // Everyone who shares a joined room with the user, and the user.
  void WakeRoomsOfUser(std::string_view user_id);
  // Every waiter (shutdown).
  void WakeAll();

  // Waiters currently subscribed (for metrics and tests).
  size_t WaiterCount() const;

 private:
  struct Job {
    enum class Kind { kRoom, kRoomsOfUser };
    Kind kind;
    std::string id;
  };
  void Run();
  void WakeForEvents(storage::StreamPos from, storage::StreamPos to);
  void WakeRoomNid(storage::RoomNid room);
  void WakeUserNid(storage::UserNid user);
  void RunJob(const Job& job);
  bool HasWaiters() const;

  storage::EventStore* store_;
  int listener_id_ = 0;

  mutable absl::Mutex waiters_mu_;
  absl::flat_hash_map<std::string, std::vector<std::shared_ptr<Waiter>>>
      waiters_ ABSL_GUARDED_BY(waiters_mu_);
  size_t waiter_count_ ABSL_GUARDED_BY(waiters_mu_) = 0;

  absl::Mutex jobs_mu_;
  std::deque<Job> jobs_ ABSL_GUARDED_BY(jobs_mu_);
  storage::StreamPos published_ ABSL_GUARDED_BY(jobs_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(jobs_mu_) = false;
  storage::StreamPos woken_up_to_ = 0;  // Only the notifier thread.
  std::thread thread_;
};

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_NOTIFIER_H_
