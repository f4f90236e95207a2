// Spec: client-server-api, "Adding Account Administrative Contact
// Information" and the requestToken endpoints of registration and password
// reset. Myelin sends no email or SMS, so no third-party identifier is ever
// bound: GET /account/3pid lists none (clients' settings pages call it),
// and every requestToken answers that such addresses are not accepted.
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/client/accounts.h"

namespace myelin::client {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kThreepidDenied = "M_THREEPID_DENIED";
constexpr std::string_view kThreepidNotFound = "M_THREEPID_NOT_FOUND";

absl::StatusOr<Response> ListThreepids(const Request&) {
  return Response::Json(R"({"threepids":[]})");
}

absl::StatusOr<Response> Denied(const Request&) {
  return MatrixError(403, kThreepidDenied,
                     "This server does not use third-party identifiers");
}

absl::StatusOr<Response> NotFoundForReset(const Request&) {
  return MatrixError(400, kThreepidNotFound,
                     "No account has this third-party identifier");
}

}  // namespace

absl::Status AddThreepidRoutes(http::RouteTable* table) {
  const auto& prefixes = http::ClientPrefixes();
  http::Route route;
  route.pattern = "/account/3pid";
  route.auth = http::Auth::kUser;
  route.execution = http::Execution::kInline;
  route.handler = ListThreepids;
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));

  route = http::Route();
  route.method = http::Method::kPost;
  route.execution = http::Execution::kInline;
  for (const char* pattern :
       {"/register/email/requestToken", "/register/msisdn/requestToken",
        "/account/3pid/email/requestToken",
        "/account/3pid/msisdn/requestToken"}) {
    route.pattern = pattern;
    route.handler = Denied;
    RETURN_IF_ERROR(table->AddUnder(prefixes, route));
  }
  for (const char* pattern : {"/account/password/email/requestToken",
                              "/account/password/msisdn/requestToken"}) {
    route.pattern = pattern;
    route.handler = NotFoundForReset;
    RETURN_IF_ERROR(table->AddUnder(prefixes, route));
  }
  return absl::OkStatus();
}

}  // namespace myelin::client
