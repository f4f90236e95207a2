#include "server/sync/to_device_routes.h"

#include "absl/strings/str_cat.h"
#include "dag/base/log.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/json/canonical.h"
#include "dag/pdu/pdu.h"

namespace myelin::sync {
namespace {

using http::Request;
using http::Response;

// The recipient devices of one user's entry: every device for "*".
absl::StatusOr<std::vector<std::string>> DevicesOf(
    const ToDeviceContext& context, const std::string& user,
    const std::string& device) {
  std::vector<std::string> devices;
  if (device == "*") {
    ASSIGN_OR_RETURN(auto all, context.accounts->ListDevices(user));
    for (const storage::Device& d : all) devices.push_back(d.device_id);
    return devices;
  }
  ASSIGN_OR_RETURN(auto known, context.accounts->GetDevice(user, device));
  if (known.has_value()) devices.push_back(device);
  return devices;
}

absl::StatusOr<Response> Send(const ToDeviceContext& context, const Request& r) {
  const auto* messages = r.json.as_object().if_contains("messages");
  if (messages == nullptr) return MissingParam("messages is required");
  if (!messages->is_object()) return BadJson("messages must be an object");
  std::string type(r.Param("eventType"));
  std::vector<storage::ToDeviceMessage> queued;
  for (const auto& [user_key, per_device] : messages->as_object()) {
    std::string user(user_key);
    if (!per_device.is_object()) {
      return BadJson(absl::StrCat("messages.", user, " must be an object"));
    }
    if (ServerNameOf(user) != context.server_name) {
      MLOG(INFO) << "to-device for " << user << " skipped: no federation yet";
      continue;
    }
    for (const auto& [device_key, content] : per_device.as_object()) {
      if (!content.is_object()) return BadJson("message content must be an object");
      ASSIGN_OR_RETURN(std::vector<std::string> devices,
                       DevicesOf(context, user, std::string(device_key)));
      ASSIGN_OR_RETURN(std::string json,
                       json::EncodeCanonicalJson(
                           boost::json::object{{"sender", r.principal.user_id},
                                               {"type", type},
                                               {"content", content}},
                           JsonStrictness::kLenient));
      for (std::string& device : devices) {
        queued.push_back({user, std::move(device), json});
      }
    }
  }
  storage::ToDeviceTxn txn{r.principal.user_id, r.principal.device_id,
                           std::string(r.Param("txnId"))};
  RETURN_IF_ERROR(context.inbox->Enqueue(txn, queued).status());
  return Response::Json("{}");
}

}  // namespace

absl::Status AddToDeviceRoutes(http::RouteTable* table,
                               const ToDeviceContext* context) {
  http::Route route;
  route.method = http::Method::kPut;
  route.pattern = "/sendToDevice/{eventType}/{txnId}";
  route.auth = http::Auth::kUser;
  route.body = http::Body::kJson;
  route.rate_limit = context->rate_limit;
  route.handler = [context](const Request& r) { return Send(*context, r); };
  return table->AddUnder(http::ClientPrefixes(), std::move(route));
}

}  // namespace myelin::sync
