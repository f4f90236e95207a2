#include "server/sync/notifier.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "dag/base/log.h"
#include "dag/base/strings.h"

namespace myelin::sync {

namespace {
// Events read per scan of the stream; a burst larger than this is read in
// several scans.
constexpr size_t kEventsPerScan = 2000;
}  // namespace

void SyncNotifier::Waiter::OnWake(std::function<void()> on_wake) {
  {
    absl::MutexLock lock(&mu_);
    if (!woken_) {
      on_wake_ = std::move(on_wake);
      return;
    }
  }
  on_wake();
}

void SyncNotifier::Waiter::Wake() {
  std::function<void()> on_wake;
  {
    absl::MutexLock lock(&mu_);
    if (woken_) return;
    woken_ = true;
    on_wake = std::move(on_wake_);
  }
  if (on_wake) on_wake();
}

SyncNotifier::SyncNotifier(storage::EventStore* store) : store_(store) {
  woken_up_to_ = store_->stream().Published();
  published_ = woken_up_to_;
  listener_id_ = store_->stream().AddListener([this](storage::StreamPos pos) {
    absl::MutexLock lock(&jobs_mu_);
    if (pos > published_) published_ = pos;
  });
  thread_ = std::thread([this] { Run(); });
}

SyncNotifier::~SyncNotifier() {
  store_->stream().RemoveListener(listener_id_);
  {
    absl::MutexLock lock(&jobs_mu_);
    stopping_ = true;
  }
  thread_.join();
  WakeAll();
}

std::shared_ptr<SyncNotifier::Waiter> SyncNotifier::Subscribe(
    std::string_view user_id) {
  auto waiter = std::make_shared<Waiter>();
  absl::MutexLock lock(&waiters_mu_);
  waiters_[AV(user_id)].push_back(waiter);
  ++waiter_count_;
  return waiter;
}

void SyncNotifier::Unsubscribe(std::string_view user_id,
                               const std::shared_ptr<Waiter>& waiter) {
  absl::MutexLock lock(&waiters_mu_);
  auto it = waiters_.find(AV(user_id));
  if (it == waiters_.end()) return;
  std::vector<std::shared_ptr<Waiter>>& list = it->second;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == waiter) {
      list[i] = std::move(list.back());
      list.pop_back();
      --waiter_count_;
      break;
    }
  }
  if (list.empty()) waiters_.erase(it);
}

void SyncNotifier::WakeUser(std::string_view user_id) {
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    absl::MutexLock lock(&waiters_mu_);
    auto it = waiters_.find(AV(user_id));
    if (it == waiters_.end()) return;
    woken = std::move(it->second);
    waiters_.erase(it);
    waiter_count_ -= woken.size();
  }
  for (const std::shared_ptr<Waiter>& waiter : woken) waiter->Wake();
}

void SyncNotifier::WakeAll() {
  absl::flat_hash_map<std::string, std::vector<std::shared_ptr<Waiter>>> all;
  {
    absl::MutexLock lock(&waiters_mu_);
    all.swap(waiters_);
    waiter_count_ = 0;
  }
  for (auto& [user, list] : all) {
    for (const std::shared_ptr<Waiter>& waiter : list) waiter->Wake();
  }
}

size_t SyncNotifier::WaiterCount() const {
  absl::MutexLock lock(&waiters_mu_);
  return waiter_count_;
}

bool SyncNotifier::HasWaiters() const { return WaiterCount() > 0; }

void SyncNotifier::WakeRoom(std::string_view room_id) {
  if (!HasWaiters()) return;
  absl::MutexLock lock(&jobs_mu_);
  jobs_.push_back({Job::Kind::kRoom, std::string(room_id)});
}

void SyncNotifier::WakeRoomsOfUser(std::string_view user_id) {
  WakeUser(user_id);
  if (!HasWaiters()) return;
  absl::MutexLock lock(&jobs_mu_);
  jobs_.push_back({Job::Kind::kRoomsOfUser, std::string(user_id)});
}

void SyncNotifier::Run() {
  while (true) {
    std::deque<Job> jobs;
    storage::StreamPos published;
    {
      absl::MutexLock lock(&jobs_mu_);
      jobs_mu_.Await(absl::Condition(
          +[](SyncNotifier* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(
               self->jobs_mu_) {
            return self->stopping_ || !self->jobs_.empty() ||
                   self->published_ > self->woken_up_to_;
          },
          this));
      if (stopping_) return;
      jobs.swap(jobs_);
      published = published_;
    }
    if (published > woken_up_to_) {
      WakeForEvents(woken_up_to_, published);
      woken_up_to_ = published;
    }
    for (const Job& job : jobs) RunJob(job);
  }
}

void SyncNotifier::WakeForEvents(storage::StreamPos from,
                                 storage::StreamPos to) {
  if (!HasWaiters()) return;
  absl::flat_hash_set<storage::RoomNid> rooms;
  absl::flat_hash_set<storage::UserNid> targets;
  while (from < to) {
    absl::StatusOr<std::vector<storage::StreamEntry>> events =
        store_->EventsSince(from, to, kEventsPerScan);
    if (!events.ok()) {
      MLOG(WARN) << "sync notifier: reading the event stream: "
                 << events.status();
      return;
    }
    if (events->empty()) break;
    for (const storage::StreamEntry& entry : *events) {
      rooms.insert(entry.room_nid);
      absl::StatusOr<storage::EventMeta> meta = store_->Meta(entry.event_nid);
      if (meta.ok() && meta->membership != storage::Membership::kNone &&
          meta->state_key.has_value()) {
        absl::StatusOr<storage::UserNid> target =
            store_->LookupUser(*meta->state_key);
        if (target.ok()) targets.insert(*target);
      }
    }
    from = events->back().stream;
  }
  for (storage::RoomNid room : rooms) WakeRoomNid(room);
  for (storage::UserNid user : targets) WakeUserNid(user);
}

void SyncNotifier::WakeRoomNid(storage::RoomNid room) {
  absl::StatusOr<std::vector<storage::Member>> members =
      store_->Members(room, storage::Membership::kJoin);
  if (!members.ok()) {
    MLOG(WARN) << "sync notifier: members of room " << room << ": "
               << members.status();
    return;
  }
  for (const storage::Member& member : *members) WakeUser(member.user_id);
}

void SyncNotifier::WakeUserNid(storage::UserNid user) {
  absl::StatusOr<std::string> user_id = store_->UserId(user);
  if (user_id.ok()) WakeUser(*user_id);
}

void SyncNotifier::RunJob(const Job& job) {
  if (job.kind == Job::Kind::kRoom) {
    absl::StatusOr<storage::RoomInfo> room = store_->LookupRoom(job.id);
    if (room.ok()) WakeRoomNid(room->room_nid);
    return;
  }
  absl::StatusOr<storage::UserNid> user = store_->LookupUser(job.id);
  if (!user.ok()) return;
  absl::StatusOr<std::vector<storage::UserRoom>> rooms =
      store_->RoomsOfUser(*user, storage::Membership::kJoin);
  if (!rooms.ok()) return;
  for (const storage::UserRoom& room : *rooms) WakeRoomNid(room.room_nid);
}

}  // namespace myelin::sync
