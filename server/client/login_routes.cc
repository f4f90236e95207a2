// Spec: client-server-api, "Login", "Refreshing access tokens", "Logout",
// "Current account information": GET/POST /login, POST /refresh,
// POST /logout, POST /logout/all, GET /account/whoami.
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/client/accounts.h"
#include "server/http/error_response.h"

namespace myelin::client {
namespace {

using http::Request;
using http::Response;

absl::StatusOr<Response> LoginFlows(const Request&) {
  return Response::Json(R"({"flows":[{"type":"m.login.password"}]})");
}

absl::StatusOr<Response> Login(Accounts& accounts, const Request& request) {
  const boost::json::object& body = request.json.get_object();
  ASSIGN_OR_RETURN(auto type, OptionalString(body, "type"));
  if (type.value_or("") != "m.login.password") {
    return MatrixError(400, errcode::kUnknown, "Unknown login type");
  }
  ASSIGN_OR_RETURN(PasswordIdentifier id, ParsePasswordAuth(body));
  absl::StatusOr<std::string> localpart = accounts.LocalpartOf(id.user);
  if (!localpart.ok()) return Forbidden("Invalid username or password");
  ASSIGN_OR_RETURN(auto account, accounts.store().GetAccount(*localpart));
  // The same answer for an unknown user and a wrong password, so login
  // does not reveal which users exist.
  if (!accounts.CheckPassword(account, id.password) || account->deactivated) {
    if (account && account->deactivated) {
      return MatrixError(403, errcode::kUserDeactivated,
                         "This account has been deactivated");
    }
    return Forbidden("Invalid username or password");
  }
  ASSIGN_OR_RETURN(auto device_id, OptionalString(body, "device_id"));
  ASSIGN_OR_RETURN(auto display_name,
                   OptionalString(body, "initial_device_display_name"));
  ASSIGN_OR_RETURN(bool want_refresh,
                   OptionalBool(body, "refresh_token", false));
  ASSIGN_OR_RETURN(boost::json::object response,
                   accounts.IssueLogin({accounts.UserIdOf(*localpart),
                                        device_id, display_name, want_refresh,
                                        request.remote_address}));
  return Response::Json(boost::json::serialize(response));
}

absl::StatusOr<Response> Refresh(Accounts& accounts, const Request& request) {
  const boost::json::object& body = request.json.get_object();
  ASSIGN_OR_RETURN(auto token, OptionalString(body, "refresh_token"));
  if (!token) return MissingParam("Missing refresh_token");
  std::string hash = TokenHash(*token);
  ASSIGN_OR_RETURN(auto session, accounts.store().GetSession(hash));
  absl::Status unknown = http::WithErrorFields(
      UnknownToken("Unknown refresh token"),
      boost::json::object{{"soft_logout", false}});
  if (!session || !session->refresh) return unknown;
  // The device keeps its id and keys; its old access token stops working,
  // the presented refresh token when the new tokens are first used.
  std::string access_token, refresh_token;
  storage::DeviceLogin login = accounts.NewDeviceLogin(
      {session->user_id, session->device_id, std::nullopt,
       /*want_refresh=*/true, request.remote_address},
      &access_token, &refresh_token);
  absl::Status refreshed = accounts.store().Refresh(hash, login);
  if (absl::IsNotFound(refreshed)) return unknown;
  RETURN_IF_ERROR(refreshed);
  boost::json::object response{{"access_token", access_token}};
  if (!refresh_token.empty()) {
    response["refresh_token"] = refresh_token;
    response["expires_in_ms"] = accounts.config().access_token_lifetime_ms;
  }
  return Response::Json(boost::json::serialize(response));
}

// Route auth is kNone: an expired access token may still log out.
absl::StatusOr<Response> Logout(Accounts& accounts, const Request& request) {
  std::string_view token = http::AccessTokenOf(request);
  if (token.empty()) return MissingToken("Missing access token");
  ASSIGN_OR_RETURN(http::Principal principal,
                   accounts.authenticator()->AuthenticateAllowExpired(token));
  RETURN_IF_ERROR(accounts.DeleteDevices(
      principal.user_id, std::vector<std::string>{principal.device_id}));
  return Response::Json("{}");
}

absl::StatusOr<Response> LogoutAll(Accounts& accounts, const Request& request) {
  RETURN_IF_ERROR(
      accounts.DeleteDevices(request.principal.user_id, std::nullopt));
  return Response::Json("{}");
}

absl::StatusOr<Response> WhoAmI(const Request& request) {
  return Response::Json(boost::json::serialize(
      boost::json::object{{"user_id", request.principal.user_id},
                          {"device_id", request.principal.device_id},
                          {"is_guest", false}}));
}

}  // namespace

absl::Status AddLoginRoutes(http::RouteTable* table, Accounts* accounts) {
  const auto& prefixes = http::ClientPrefixes();
  auto bind = [accounts](auto handler) {
    return [accounts, handler](const Request& r) {
      return handler(*accounts, r);
    };
  };
  http::Route route;
  route.pattern = "/login";
  route.execution = http::Execution::kInline;
  route.handler = LoginFlows;
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));

  route = http::Route();
  route.method = http::Method::kPost;
  route.pattern = "/login";
  route.body = http::Body::kJson;
  route.rate_limit = accounts->limits().login;
  route.handler = bind(Login);
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));

  route.pattern = "/refresh";
  route.handler = bind(Refresh);
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));

  route = http::Route();
  route.method = http::Method::kPost;
  route.pattern = "/logout";
  route.handler = bind(Logout);
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));
  route.auth = http::Auth::kUser;
  route.pattern = "/logout/all";
  route.handler = bind(LogoutAll);
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));

  route = http::Route();
  route.auth = http::Auth::kUser;
  route.execution = http::Execution::kInline;
  route.pattern = "/account/whoami";
  route.handler = WhoAmI;
  return table->AddUnder(prefixes, route);
}

}  // namespace myelin::client
