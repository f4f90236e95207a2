// Spec: client-server-api, "Account registration and management":
// POST /account/password, POST /account/deactivate. Both need UIA with
// m.login.password.
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/client/accounts.h"

namespace myelin::client {
namespace {

using http::Request;
using http::Response;

constexpr size_t kMaxPasswordBytes = 512;

absl::StatusOr<Response> ChangePassword(Accounts& accounts,
                                        const Request& request) {
  const boost::json::object& body = request.json.get_object();
  const std::string& user_id = request.principal.user_id;
  ASSIGN_OR_RETURN(auto new_password, OptionalString(body, "new_password"));
  if (!new_password) return MissingParam("Missing new_password");
  if (new_password->size() > kMaxPasswordBytes) {
    return InvalidParam("Password too long");
  }
  ASSIGN_OR_RETURN(bool logout_devices,
                   OptionalBool(body, "logout_devices", true));
  RETURN_IF_ERROR(accounts.RequirePassword(body, user_id, "password"));
  ASSIGN_OR_RETURN(std::string hash, accounts.hasher().Hash(*new_password));
  ASSIGN_OR_RETURN(std::string localpart, accounts.LocalpartOf(user_id));
  RETURN_IF_ERROR(accounts.store().SetPasswordHash(localpart, hash));
  if (logout_devices) {
    // Spec: every other device is logged out; the caller's stays.
    RETURN_IF_ERROR(accounts.DeleteDevices(user_id, std::nullopt,
                                           request.principal.device_id));
  }
  return Response::Json("{}");
}

absl::StatusOr<Response> Deactivate(Accounts& accounts,
                                    const Request& request) {
  const boost::json::object& body = request.json.get_object();
  const std::string& user_id = request.principal.user_id;
  RETURN_IF_ERROR(accounts.RequirePassword(body, user_id, "deactivate"));
  ASSIGN_OR_RETURN(std::string localpart, accounts.LocalpartOf(user_id));
  RETURN_IF_ERROR(accounts.store().Deactivate(localpart, user_id));
  accounts.hooks().DeactivatedFor(user_id);
  // No identity server binding is ever made, so none is removed.
  return Response::Json(R"({"id_server_unbind_result":"no-support"})");
}

}  // namespace

absl::Status AddAccountManagementRoutes(http::RouteTable* table,
                                        Accounts* accounts) {
  const auto& prefixes = http::ClientPrefixes();
  http::Route route;
  route.method = http::Method::kPost;
  route.auth = http::Auth::kUser;
  route.body = http::Body::kJson;
  route.rate_limit = accounts->limits().login;  // guesses a password
  route.pattern = "/account/password";
  route.handler = [accounts](const Request& r) {
    return ChangePassword(*accounts, r);
  };
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));
  route.pattern = "/account/deactivate";
  route.handler = [accounts](const Request& r) {
    return Deactivate(*accounts, r);
  };
  return table->AddUnder(prefixes, route);
}

}  // namespace myelin::client
