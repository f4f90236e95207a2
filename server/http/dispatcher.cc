#include "server/http/dispatcher.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/parse.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/http/error_response.h"

namespace myelin::http {
namespace {

constexpr std::string_view kBearer = "Bearer ";

Response Preflight() {
  Response response = Response::Text("", "text/plain", 204);
  // Browsers cache the pre-flight instead of repeating it per request.
  response.headers.emplace_back("Access-Control-Max-Age", "86400");
  return response;
}

absl::Status ParseJsonBody(Request* request) {
  if (request->body.empty()) {
    // Some clients send no body where the spec allows an empty object.
    request->json = boost::json::object();
    return absl::OkStatus();
  }
  boost::json::error_code error;
  boost::json::value value = boost::json::parse(request->body, error);
  if (error) {
    return NotJson(absl::StrCat("Content not JSON: ", error.message()));
  }
  if (!value.is_object()) return NotJson("Content must be a JSON object");
  request->json = std::move(value);
  return absl::OkStatus();
}

}  // namespace

void AddCorsHeaders(Response* response) {
  response->headers.emplace_back("Access-Control-Allow-Origin", "*");
  response->headers.emplace_back("Access-Control-Allow-Methods",
                                 "GET, HEAD, POST, PUT, DELETE, OPTIONS");
  response->headers.emplace_back(
      "Access-Control-Allow-Headers",
      "X-Requested-With, Content-Type, Authorization, Date");
}

std::string_view AccessTokenOf(const Request& request) {
  std::string_view header = request.Header("authorization");
  if (header.size() > kBearer.size() &&
      header.substr(0, kBearer.size()) == kBearer) {
    return header.substr(kBearer.size());
  }
  return request.Query("access_token");
}

Dispatcher::Dispatcher(RouteTable routes, const Authenticator* authenticator,
                       DispatcherOptions options)
    : routes_(std::move(routes)),
      authenticator_(authenticator),
      options_(options) {}

absl::Status Dispatcher::Authenticate(const Route& route,
                                      Request* request) const {
  if (route.auth == Auth::kNone) return absl::OkStatus();
  std::string_view token = AccessTokenOf(*request);
  if (token.empty()) {
    if (route.auth == Auth::kOptional) return absl::OkStatus();
    return MissingToken("Missing access token");
  }
  if (authenticator_ == nullptr) return UnknownToken("Unknown access token");
  ASSIGN_OR_RETURN(request->principal, authenticator_->Authenticate(token));
  authenticator_->NoteUse(request->principal, *request);
  if (route.auth == Auth::kAdmin && !request->principal.admin) {
    return Forbidden("This endpoint needs the server's admin token");
  }
  if (route.auth == Auth::kUser && request->principal.user_id.empty()) {
    return UnknownToken("This token does not belong to a user");
  }
  return absl::OkStatus();
}

Dispatcher::Decision Dispatcher::Decide(Request* request) const {
  if (options_.trust_x_forwarded_for) {
    std::string_view forwarded = request->Header("x-forwarded-for");
    forwarded = forwarded.substr(forwarded.rfind(',') + 1);
    while (!forwarded.empty() && forwarded.front() == ' ') {
      forwarded.remove_prefix(1);
    }
    while (!forwarded.empty() && forwarded.back() == ' ') {
      forwarded.remove_suffix(1);
    }
    if (!forwarded.empty()) request->remote_address = std::string(forwarded);
  }
  Decision decision;
  decision.label = "unmatched";
  if (request->method == Method::kOptions) {
    // Spec: OPTIONS runs no endpoint logic, on any path.
    decision.label = "OPTIONS";
    decision.response = Preflight();
    AddCorsHeaders(&decision.response);
    return decision;
  }
  Method lookup =
      request->method == Method::kHead ? Method::kGet : request->method;
  Match match = routes_.Lookup(lookup, request->path);
  absl::Status status;
  switch (match.kind) {
    case Match::Kind::kUnknownPath:
      status = Unrecognized("Unrecognized request");
      break;
    case Match::Kind::kWrongMethod:
      status = MatrixError(405, errcode::kUnrecognized,
                           "Method not allowed for this endpoint");
      break;
    case Match::Kind::kBadEncoding:
      status = InvalidParam("Malformed percent-encoding in the path");
      break;
    case Match::Kind::kFound:
      decision.label = match.route->pattern;
      request->params = std::move(match.params);
      status = Authenticate(*match.route, request);
      if (status.ok() && match.route->rate_limit != nullptr) {
        status = match.route->rate_limit->Admit(*request);
      }
      break;
  }
  if (!status.ok()) {
    decision.response = Reject(status);
    if (match.kind == Match::Kind::kWrongMethod) {
      std::vector<std::string> names;
      for (Method m : match.allowed) names.emplace_back(MethodName(m));
      decision.response.headers.emplace_back("Allow",
                                             absl::StrJoin(names, ", "));
    }
    return decision;
  }
  decision.route = match.route;
  return decision;
}

void Dispatcher::CheckBody(Request* request, Decision* decision) const {
  if (decision->route == nullptr || decision->route->body != Body::kJson) {
    return;
  }
  if (absl::Status status = ParseJsonBody(request); !status.ok()) {
    decision->route = nullptr;
    decision->response = Reject(status);
  }
}

Dispatcher::Decision Dispatcher::Prepare(Request* request) const {
  Decision decision = Decide(request);
  CheckBody(request, &decision);
  return decision;
}

Response Dispatcher::Complete(absl::StatusOr<Response> result) const {
  Response response =
      result.ok() ? std::move(result).value() : ErrorResponse(result.status());
  AddCorsHeaders(&response);
  return response;
}

Response Dispatcher::Reject(const absl::Status& status) {
  Response response = ErrorResponse(status);
  AddCorsHeaders(&response);
  return response;
}

}  // namespace myelin::http
