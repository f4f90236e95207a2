// Everything between "a request arrived" and "run this handler" that does not
// need a socket: routing, CORS pre-flights, authentication and the JSON body
// check. Pure apart from the Authenticator it is given, so it is tested
// without a server.
#ifndef MYELIN_SERVER_HTTP_DISPATCHER_H_
#define MYELIN_SERVER_HTTP_DISPATCHER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/http/message.h"
#include "server/http/router.h"

namespace myelin::http {

// Turns an access token into a caller. Declared here, implemented by the
// account layer (and by the admin token in server/admin). Thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // An M_UNKNOWN_TOKEN error for a token that is not valid.
  virtual absl::StatusOr<Principal> Authenticate(
      std::string_view access_token) const = 0;
  // Called after `request` authenticated as `principal`, e.g. to track when
  // and from where a device was last seen. Must be cheap: it runs on the
  // I/O thread. Default: nothing.
  virtual void NoteUse(const Principal& principal,
                       const Request& request) const {}
};

// Adds the CORS headers every response carries (Spec: client-server-api,
// "Web Browser Clients").
void AddCorsHeaders(Response* response);

struct DispatcherOptions {
  // Behind a reverse proxy: take the client's address from the last entry
  // of X-Forwarded-For (the one the proxy appended; earlier entries come
  // from the client and are not trusted), for rate limits and device
  // last-seen addresses. Only for listeners that nothing but the proxy can
  // reach.
  bool trust_x_forwarded_for = false;
};

class Dispatcher {
 public:
  // `authenticator` must outlive the dispatcher.
  Dispatcher(RouteTable routes, const Authenticator* authenticator,
             DispatcherOptions options = {});

  struct Decision {
    // The route to run, or nullptr when `response` is the answer already.
    const Route* route = nullptr;
    Response response;
    // The route pattern, or "unmatched"; a bounded label set for metrics.
    std::string label;
  };

  // Everything that needs only the headers: routing, pre-flights,
  // authentication and rate limits. Fills request->params and ->principal
  // when a route is chosen; request->body is not looked at. The server calls
  // this before reading the body, so a stream route sees no body at all.
  Decision Decide(Request* request) const;

  // The body check of a chosen route, once request->body arrived: fills
  // request->json for Body::kJson, or turns `decision` into the 400.
  void CheckBody(Request* request, Decision* decision) const;

  // Decide() and CheckBody() together, for a request read whole.
  Decision Prepare(Request* request) const;

  // A handler's result as the response to send, with CORS headers.
  Response Complete(absl::StatusOr<Response> result) const;

  // The response for a request rejected before routing (too large, bad
  // framing), with CORS headers.
  static Response Reject(const absl::Status& status);

  const RouteTable& routes() const { return routes_; }

 private:
  absl::Status Authenticate(const Route& route, Request* request) const;

  RouteTable routes_;
  const Authenticator* authenticator_;
  DispatcherOptions options_;
};

// The access token of a request: "Authorization: Bearer <token>", else the
// deprecated ?access_token= query parameter that older clients (matrix-nio)
// still send. Empty when neither is given.
std::string_view AccessTokenOf(const Request& request);

}  // namespace myelin::http

#endif  // MYELIN_SERVER_HTTP_DISPATCHER_H_
