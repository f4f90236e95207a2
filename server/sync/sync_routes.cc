#include "server/sync/sync_routes.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/sync/filter_routes.h"

namespace myelin::sync {
namespace {

using http::Request;
using http::Responder;
using http::Response;

// One /sync request from arrival to response.
struct LongPoll {
  SyncService* service = nullptr;
  Responder respond;
  SyncRequest request;
  std::string filter_text;
  std::string set_presence;
  int64_t timeout_millis = 0;
  int64_t deadline_nanos = 0;

  std::atomic<bool> done{false};
  absl::Mutex mu;
  std::shared_ptr<SyncNotifier::Waiter> waiter ABSL_GUARDED_BY(mu);
  bool timer_started ABSL_GUARDED_BY(mu) = false;
};

int64_t NowNanos(const LongPoll& poll) {
  return poll.service->sources.clock->MonotonicNanos();
}

void DropWaiter(LongPoll& poll) {
  std::shared_ptr<SyncNotifier::Waiter> waiter;
  {
    absl::MutexLock lock(&poll.mu);
    waiter = std::move(poll.waiter);
  }
  if (waiter) poll.service->notifier->Unsubscribe(poll.request.user_id, waiter);
}

void Finish(LongPoll& poll, absl::StatusOr<Response> response) {
  if (poll.done.exchange(true)) return;
  DropWaiter(poll);
  poll.respond(std::move(response));
}

absl::StatusOr<Response> ToResponse(absl::StatusOr<SyncResult> result) {
  RETURN_IF_ERROR(result.status());
  return Response::Json(boost::json::serialize(result->body));
}

// The answer when the server stops mid-poll: nothing new, same token.
Response EmptyResponse(const LongPoll& poll) {
  SyncToken token = poll.request.since.value_or(SyncToken{});
  boost::json::object body{{"next_batch", FormatSyncToken(token)}};
  return Response::Json(boost::json::serialize(body));
}

void Step(const std::shared_ptr<LongPoll>& poll);

// Computes once more and answers whatever the result (the timeout fired).
void FinalStep(const std::shared_ptr<LongPoll>& poll) {
  if (poll->done) return;
  Finish(*poll, ToResponse(ComputeSync(poll->service->sources, poll->request)));
}

void OnTimeout(const std::shared_ptr<LongPoll>& poll) {
  if (poll->done) return;
  if (!poll->service->server.load()->RunBlocking([poll] { FinalStep(poll); })) {
    Finish(*poll, EmptyResponse(*poll));
  }
}

void OnWake(const std::shared_ptr<LongPoll>& poll) {
  if (poll->done) return;
  if (!poll->service->server.load()->RunBlocking([poll] { Step(poll); })) {
    Finish(*poll, EmptyResponse(*poll));
  }
}

// Subscribes, computes, and answers unless the result is empty and time
// remains; then waits for the notifier. Subscribing first means a change
// landing while computing wakes the waiter, so it is never missed.
void Step(const std::shared_ptr<LongPoll>& poll) {
  if (poll->done) return;
  SyncService& service = *poll->service;
  DropWaiter(*poll);
  std::shared_ptr<SyncNotifier::Waiter> waiter =
      service.notifier->Subscribe(poll->request.user_id);
  {
    absl::MutexLock lock(&poll->mu);
    poll->waiter = waiter;
  }
  absl::StatusOr<SyncResult> result = ComputeSync(service.sources, poll->request);
  int64_t remaining_millis = (poll->deadline_nanos - NowNanos(*poll)) / 1'000'000;
  if (!result.ok() || !result->empty || !poll->request.since.has_value() ||
      poll->request.full_state || remaining_millis <= 0) {
    Finish(*poll, ToResponse(std::move(result)));
    return;
  }
  bool start_timer = false;
  {
    absl::MutexLock lock(&poll->mu);
    start_timer = !poll->timer_started;
    poll->timer_started = true;
  }
  if (start_timer &&
      !service.server.load()->RunAfter(remaining_millis, [poll] { OnTimeout(poll); })) {
    Finish(*poll, EmptyResponse(*poll));
    return;
  }
  waiter->OnWake([poll] { OnWake(poll); });
  if (poll->done) DropWaiter(*poll);  // The timeout answered meanwhile.
}

// Spec: set_presence — "online" (the default) marks the user active,
// "unavailable" sets it, "offline" leaves presence alone.
void ApplyPresence(const LongPoll& poll) {
  PresenceTracker& presence = *poll.service->sources.presence;
  const std::string& user = poll.request.user_id;
  if (poll.set_presence == "unavailable") {
    if (presence.Get(user).state != PresenceState::kUnavailable) {
      presence.Set(user, PresenceState::kUnavailable, std::nullopt);
    }
  } else if (poll.set_presence != "offline") {
    presence.Touch(user);
  }
}

void Start(const std::shared_ptr<LongPoll>& poll) {
  absl::StatusOr<filter::Filter> filter = ResolveFilter(
      *poll->service->filters, poll->request.user_id, poll->filter_text);
  if (!filter.ok()) {
    Finish(*poll, filter.status());
    return;
  }
  poll->request.filter = *std::move(filter);
  ApplyPresence(*poll);
  Step(poll);
}

absl::Status ParseBool(std::string_view text, std::string_view name, bool* out) {
  if (text.empty() || text == "false") {
    *out = false;
  } else if (text == "true") {
    *out = true;
  } else {
    return InvalidParam(absl::StrCat(AV(name), " must be true or false"));
  }
  return absl::OkStatus();
}

absl::Status ParseParams(const Request& r, LongPoll* poll) {
  poll->request.user_id = r.principal.user_id;
  poll->request.device_id = r.principal.device_id;
  if (!r.Query("since").empty()) {
    ASSIGN_OR_RETURN(poll->request.since, ParseSyncToken(r.Query("since")));
  }
  if (r.HasQuery("timeout") &&
      (!absl::SimpleAtoi(AV(r.Query("timeout")), &poll->timeout_millis) ||
       poll->timeout_millis < 0)) {
    return InvalidParam("timeout must be a non-negative integer");
  }
  poll->timeout_millis = std::min(poll->timeout_millis, kMaxSyncTimeoutMillis);
  RETURN_IF_ERROR(ParseBool(r.Query("full_state"), "full_state",
                            &poll->request.full_state));
  RETURN_IF_ERROR(ParseBool(r.Query("use_state_after"), "use_state_after",
                            &poll->request.use_state_after));
  poll->set_presence = std::string(r.Query("set_presence"));
  if (!poll->set_presence.empty() && poll->set_presence != "online" &&
      poll->set_presence != "offline" && poll->set_presence != "unavailable") {
    return InvalidParam("set_presence must be online, offline or unavailable");
  }
  poll->filter_text = std::string(r.Query("filter"));
  return absl::OkStatus();
}

void HandleSync(SyncService* service, const Request& r, Responder respond) {
  auto poll = std::make_shared<LongPoll>();
  poll->service = service;
  poll->respond = std::move(respond);
  if (absl::Status s = ParseParams(r, poll.get()); !s.ok()) {
    Finish(*poll, s);
    return;
  }
  poll->deadline_nanos = NowNanos(*poll) + poll->timeout_millis * 1'000'000;
  http::HttpServer* server = service->server.load();
  if (server == nullptr || !server->RunBlocking([poll] { Start(poll); })) {
    Finish(*poll, absl::UnavailableError("The server is shutting down"));
  }
}

}  // namespace

absl::Status AddSyncRoutes(http::RouteTable* table, SyncService* service) {
  http::Route route;
  route.method = http::Method::kGet;
  route.pattern = "/sync";
  route.auth = http::Auth::kUser;
  route.deferred_handler = [service](const Request& r, Responder respond) {
    HandleSync(service, r, std::move(respond));
  };
  return table->AddUnder(http::ClientPrefixes(), std::move(route));
}

}  // namespace myelin::sync
