#include "server/client/uia.h"

#include <algorithm>

#include "boost/json/array.hpp"
#include "dag/base/matrix_error.h"
#include "server/client/account_crypto.h"
#include "server/http/error_response.h"

namespace myelin::client {
namespace {

bool FlowComplete(const std::vector<std::string>& flow,
                  const UiaResult& completed) {
  return std::all_of(flow.begin(), flow.end(), [&](const std::string& stage) {
    return completed.count(stage) > 0;
  });
}

bool StageOffered(const UiaRequest& request, std::string_view type) {
  for (const auto& flow : request.flows) {
    if (std::find(flow.begin(), flow.end(), type) != flow.end()) return true;
  }
  return false;
}

std::string StringField(const boost::json::object& object,
                        std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return "";
  return std::string(value->get_string());
}

}  // namespace

absl::Status UiaSessions::Challenge(const UiaRequest& request,
                                    std::string_view id,
                                    const Session& session,
                                    const absl::Status& stage_error) const {
  boost::json::object body;
  boost::json::array flows;
  for (const auto& flow : request.flows) {
    boost::json::array stages;
    for (const std::string& stage : flow) stages.emplace_back(stage);
    flows.push_back(boost::json::object{{"stages", std::move(stages)}});
  }
  body["flows"] = std::move(flows);
  body["params"] = request.params;
  body["session"] = id;
  boost::json::array completed;
  for (const auto& [stage, unused] : session.completed) {
    completed.emplace_back(stage);
  }
  body["completed"] = std::move(completed);
  if (stage_error.ok()) return http::BareErrorBody(401, body);
  MatrixErrorView error = MatrixErrorOf(stage_error);
  return http::WithErrorFields(
      MatrixError(401, error.errcode, error.message), body);
}

void UiaSessions::DropExpiredLocked(int64_t now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.expires_at_ms <= now) {
      sessions_.erase(it++);
    } else {
      ++it;
    }
  }
}

absl::StatusOr<UiaResult> UiaSessions::Authenticate(
    const boost::json::object& body, const UiaRequest& request,
    const StageCheck& check) {
  const int64_t now = clock_->NowMillis();
  const boost::json::value* auth_value = body.if_contains("auth");
  const boost::json::object* auth =
      auth_value != nullptr ? auth_value->if_object() : nullptr;
  std::string id = auth != nullptr ? StringField(*auth, "session") : "";

  absl::MutexLock lock(&mu_);
  if (sessions_.size() >= max_sessions_) DropExpiredLocked(now);
  Session* session = nullptr;
  if (!id.empty()) {
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.expires_at_ms <= now) {
      return MatrixError(400, errcode::kUnknown, "Unknown UIA session");
    }
    session = &it->second;
    if (session->bound_to != request.bound_to) {
      return Forbidden(
          "The requested operation changed during the UIA session");
    }
  } else {
    if (sessions_.size() >= max_sessions_) {
      return LimitExceeded("Too many authentication sessions", 1000);
    }
    id = NewOpaqueId();
    session = &sessions_[id];
    session->bound_to = request.bound_to;
    session->expires_at_ms = now + ttl_ms_;
  }

  std::string type = auth != nullptr ? StringField(*auth, "type") : "";
  if (!type.empty()) {
    if (!StageOffered(request, type)) {
      return Challenge(request, id, *session,
                       BadJson("Stage not offered by this endpoint"));
    }
    absl::StatusOr<std::string> remembered = check(type, *auth);
    if (!remembered.ok()) {
      return Challenge(request, id, *session, remembered.status());
    }
    session->completed[type] = *std::move(remembered);
  }
  for (const auto& flow : request.flows) {
    if (FlowComplete(flow, session->completed)) {
      UiaResult result = std::move(session->completed);
      sessions_.erase(id);
      return result;
    }
  }
  return Challenge(request, id, *session, absl::OkStatus());
}

}  // namespace myelin::client
