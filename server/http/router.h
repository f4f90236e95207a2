// The declarative route table: {method, path pattern, auth, body, handler}.
//
// Patterns are spec paths with `{name}` segments, e.g.
// "/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}". A
// `{name}` matches exactly one segment (possibly empty) and is
// percent-decoded into Request::params (Spec: client-server-api, "Paths").
// Literal segments compare against the raw path.
//
// Thread safety: build the table before serving; Match() is then const and
// safe from any thread.
#ifndef MYELIN_SERVER_HTTP_ROUTER_H_
#define MYELIN_SERVER_HTTP_ROUTER_H_

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "server/http/message.h"

namespace myelin::http {

// Who may call a route.
enum class Auth {
  kNone,      // Anyone.
  kOptional,  // A token is checked if given.
  kUser,      // A valid access token (header or ?access_token=) is required.
  kAdmin,     // The server's local admin token (see server/admin).
};

// What the body must be before the handler runs.
enum class Body {
  kAny,   // Not inspected.
  kJson,  // Must parse as a JSON object, else 400 M_NOT_JSON.
};

// Where the handler runs.
enum class Execution {
  kInline,    // On the I/O thread: only for handlers that never block.
  kBlocking,  // On the worker pool: anything touching the database.
};

// Completes a deferred request. Call exactly once, from any thread.
using Responder = std::function<void(absl::StatusOr<Response>)>;

// Admits or refuses a request before its handler runs (rate limits, see
// server/ratelimit). Called after authentication, so request.principal is
// set. Thread-safe.
class RequestLimiter {
 public:
  virtual ~RequestLimiter() = default;
  // OK, or 429 M_LIMIT_EXCEEDED with retry_after_ms.
  virtual absl::Status Admit(const Request& request) const = 0;
};

// Receives a request body piece by piece as it arrives (uploads), so a large
// body never sits in memory. The server calls Write() for each piece in
// order, never two calls at once, then exactly one of Finish() and Abort().
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Each piece in order, on a worker thread. An error aborts: the server
  // answers with it and closes the connection.
  virtual absl::Status Write(std::string_view piece) = 0;
  // The whole body arrived: the response.
  virtual absl::StatusOr<Response> Finish() = 0;
  // The body did not arrive whole (client went away, too large, timed out,
  // a Write error): discard what was written.
  virtual void Abort(const absl::Status& why) = 0;
};

using Handler = std::function<absl::StatusOr<Response>(const Request&)>;
// For requests answered later (long polls): the handler keeps the responder.
using DeferredHandler = std::function<void(const Request&, Responder)>;
// Called once the headers are read and the route's auth passed, before any
// body is read (request.body is empty). May refuse (e.g. a Content-Length
// over the limit, wrong Content-Type); the server then answers with the
// error and closes the connection. Runs where the route's `execution` says.
using StreamHandler =
    std::function<absl::StatusOr<std::unique_ptr<BodySink>>(const Request&)>;

struct Route {
  Method method = Method::kGet;
  std::string pattern;
  Auth auth = Auth::kNone;
  Body body = Body::kAny;
  Execution execution = Execution::kBlocking;
  // Routes opt in to rate limiting by naming a limiter; not owned, must
  // outlive the table. nullptr: not limited.
  const RequestLimiter* rate_limit = nullptr;
  // Exactly one of handler, deferred_handler and stream_handler is set.
  Handler handler;
  DeferredHandler deferred_handler;
  // Streamed request bodies; `body` must be Body::kAny.
  StreamHandler stream_handler;
  // The body limit of a stream route, enforced while the body arrives (and
  // up front against Content-Length); 0: ServerOptions::max_body_bytes.
  uint64_t max_body_bytes = 0;
};

// The outcome of looking up a request.
struct Match {
  enum class Kind { kFound, kUnknownPath, kWrongMethod, kBadEncoding };
  Kind kind = Kind::kUnknownPath;
  const Route* route = nullptr;  // Set when kFound.
  absl::flat_hash_map<std::string, std::string> params;
  std::vector<Method> allowed;  // Methods the path supports (kWrongMethod).
};

class RouteTable {
 public:
  RouteTable();
  ~RouteTable();
  RouteTable(RouteTable&&) noexcept;
  RouteTable& operator=(RouteTable&&) noexcept;

  // Adds a route. Fails on a malformed pattern or a duplicate method+path.
  absl::Status Add(Route route);

  // Adds `route` under every prefix in `prefixes` (e.g. "/_matrix/client/v3"
  // and the legacy "/_matrix/client/r0", which old clients still call).
  // `route.pattern` is the part after the prefix.
  absl::Status AddUnder(const std::vector<std::string>& prefixes, Route route);

  Match Lookup(Method method, std::string_view raw_path) const;

  size_t size() const { return routes_.size(); }

  struct Node;  // A trie node; opaque.

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  std::unique_ptr<Node> root_;
};

// The prefixes of the Client-Server API: "v3" and the legacy "r0".
const std::vector<std::string>& ClientPrefixes();


// The common shape of Client-Server routes: an access token is required,
// the handler takes a context the routes share, and bodies of anything but
// GET must be JSON objects.
//
//   RETURN_IF_ERROR(AddUserRoutes<const KeysContext>(
//       table, ClientPrefixes(), context,
//       {{Method::kPost, "/keys/upload", Upload}, ...}));
template <typename Context>
struct UserRoute {
  Method method;
  const char* pattern;
  absl::StatusOr<Response> (*handler)(Context&, const Request&);
};

// `context` must outlive the table.
template <typename Context>
absl::Status AddUserRoutes(RouteTable* table,
                           const std::vector<std::string>& prefixes,
                           Context* context,
                           std::initializer_list<UserRoute<Context>> rows) {
  for (const UserRoute<Context>& row : rows) {
    Route route;
    route.method = row.method;
    route.pattern = row.pattern;
    route.auth = Auth::kUser;
    route.body = row.method == Method::kGet ? Body::kAny : Body::kJson;
    auto handler = row.handler;
    route.handler = [context, handler](const Request& r) {
      return handler(*context, r);
    };
    absl::Status added = table->AddUnder(prefixes, std::move(route));
    if (!added.ok()) return added;
  }
  return absl::OkStatus();
}

}  // namespace myelin::http

#endif  // MYELIN_SERVER_HTTP_ROUTER_H_
