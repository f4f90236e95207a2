// User-interactive authentication (Spec: client-server-api, "User-
// Interactive Authentication API").
//
// An endpoint that needs UIA declares its flows and a check for each stage
// type, then calls UiaSessions::Authenticate() with the request body. The
// result is either "a flow is complete" (with what each stage remembered,
// e.g. the registration token used) or the Status to return: 401 with
// flows, params, session and completed, plus errcode/error when a stage
// just failed.
//
// Sessions live in memory, not in RocksDB: they last minutes, a restart
// only makes a client start the flow over (the spec lets a server forget a
// session), and keeping them out of the database spares a write per stage.
// A session is bound to the operation that started it (`bound_to`, e.g.
// "register" or "password @alice:x"), so a session completed for one
// request cannot authorise another.
//
// Thread safety: Authenticate() may be called from any thread.
#ifndef MYELIN_SERVER_CLIENT_UIA_H_
#define MYELIN_SERVER_CLIENT_UIA_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "boost/json/object.hpp"
#include "dag/base/clock.h"

namespace myelin::client {

inline constexpr std::string_view kStageDummy = "m.login.dummy";
inline constexpr std::string_view kStagePassword = "m.login.password";
inline constexpr std::string_view kStageRegistrationToken =
    "m.login.registration_token";

struct UiaRequest {
  std::vector<std::vector<std::string>> flows;  // each: stage types in order
  boost::json::object params;
  std::string bound_to;
};

// Checks one stage's auth dict. Returns a value to remember for the
// stage (may be empty), or the error to show the client (e.g. M_FORBIDDEN
// for a wrong password); its errcode and message are sent with a 401.
using StageCheck = std::function<absl::StatusOr<std::string>(
    std::string_view type, const boost::json::object& auth)>;

// stage type -> what its check remembered.
using UiaResult = std::map<std::string, std::string>;

class UiaSessions {
 public:
  // `clock` must outlive the sessions.
  explicit UiaSessions(const Clock* clock, int64_t ttl_ms = 15 * 60 * 1000,
                       size_t max_sessions = 100000)
      : clock_(clock), ttl_ms_(ttl_ms), max_sessions_(max_sessions) {}

  absl::StatusOr<UiaResult> Authenticate(const boost::json::object& body,
                                         const UiaRequest& request,
                                         const StageCheck& check);

 private:
  struct Session {
    std::string bound_to;
    int64_t expires_at_ms = 0;
    UiaResult completed;
  };
  absl::Status Challenge(const UiaRequest& request, std::string_view id,
                         const Session& session,
                         const absl::Status& stage_error) const;
  void DropExpiredLocked(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock* clock_;
  const int64_t ttl_ms_;
  const size_t max_sessions_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace myelin::client

#endif  // MYELIN_SERVER_CLIENT_UIA_H_
