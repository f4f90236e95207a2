// Synapse's shared-secret registration, so existing admin tools
// (register_new_matrix_user) work against Myelin:
//   GET  /_synapse/admin/v1/register -> {"nonce": ...}
//   POST /_synapse/admin/v1/register {nonce, username, password, admin,
//        user_type?, displayname?, mac}
// mac = hex HMAC-SHA1 keyed by registration_shared_secret over
// nonce\0username\0password\0(admin|notadmin)[\0user_type]. A nonce is
// single-use and lives a minute. enable_registration does not apply: the
// secret is the authorisation.
#include "absl/strings/ascii.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/client/accounts.h"
#include "server/client/nonce_store.h"

namespace myelin::client {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kPath = "/_synapse/admin/v1/register";

absl::Status RequireSecret(const Accounts& accounts) {
  if (accounts.config().registration_shared_secret.empty()) {
    return MatrixError(400, errcode::kUnknown,
                       "Shared secret registration is not enabled");
  }
  return absl::OkStatus();
}

absl::StatusOr<Response> GetNonce(Accounts& accounts, const Request&) {
  RETURN_IF_ERROR(RequireSecret(accounts));
  return Response::Json(boost::json::serialize(
      boost::json::object{{"nonce", accounts.nonces().Issue()}}));
}

absl::StatusOr<Response> Register(Accounts& accounts, const Request& request) {
  RETURN_IF_ERROR(RequireSecret(accounts));
  const boost::json::object& body = request.json.get_object();
  ASSIGN_OR_RETURN(auto nonce, OptionalString(body, "nonce"));
  ASSIGN_OR_RETURN(auto username, OptionalString(body, "username"));
  ASSIGN_OR_RETURN(auto password, OptionalString(body, "password"));
  ASSIGN_OR_RETURN(auto mac, OptionalString(body, "mac"));
  ASSIGN_OR_RETURN(auto user_type, OptionalString(body, "user_type"));
  ASSIGN_OR_RETURN(auto displayname, OptionalString(body, "displayname"));
  ASSIGN_OR_RETURN(bool admin, OptionalBool(body, "admin", false));
  if (!nonce || !username || !password || !mac) {
    return MissingParam("nonce, username, password and mac are required");
  }
  // Consumed before the MAC is checked: a nonce buys one guess.
  if (!accounts.nonces().Consume(*nonce)) {
    return MatrixError(400, errcode::kUnknown, "Unrecognised nonce");
  }
  std::string want = SharedSecretMac(
      accounts.config().registration_shared_secret, *nonce, *username,
      *password, admin, user_type.value_or(""));
  if (!ConstantTimeEquals(want, absl::AsciiStrToLower(AV(*mac)))) {
    return Forbidden("HMAC incorrect");
  }
  std::string localpart = absl::AsciiStrToLower(AV(*username));
  ASSIGN_OR_RETURN(std::string user_id,
                   accounts.CreateUser(localpart, *password, admin,
                                       user_type.value_or("")));
  if (displayname && !displayname->empty()) {
    ASSIGN_OR_RETURN(storage::Profile profile,
                     accounts.store().SetProfileField(user_id, "displayname",
                                                      *displayname));
    (void)profile;
  }
  ASSIGN_OR_RETURN(boost::json::object login,
                   accounts.IssueLogin({user_id, std::nullopt, std::nullopt,
                                        false, request.remote_address}));
  return Response::Json(boost::json::serialize(login));
}

}  // namespace

absl::Status AddSharedSecretRoutes(http::RouteTable* table,
                                   Accounts* accounts) {
  http::Route route;
  route.pattern = std::string(kPath);
  route.handler = [accounts](const Request& r) {
    return GetNonce(*accounts, r);
  };
  RETURN_IF_ERROR(table->Add(route));
  route.method = http::Method::kPost;
  route.body = http::Body::kJson;
  route.handler = [accounts](const Request& r) {
    return Register(*accounts, r);
  };
  return table->Add(route);
}

}  // namespace myelin::client
