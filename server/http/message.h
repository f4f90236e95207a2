// HTTP requests and responses as plain values. Handlers see only these, never
// Beast types, so a handler file compiles without Asio and tests build
// requests by hand.
#ifndef MYELIN_SERVER_HTTP_MESSAGE_H_
#define MYELIN_SERVER_HTTP_MESSAGE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "boost/json/value.hpp"

namespace myelin::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kOptions, kPatch, kOther };

std::string_view MethodName(Method method);

// Header names are stored lower-cased.
using Headers = std::map<std::string, std::string>;

// An authenticated caller.
struct Principal {
  std::string user_id;    // "@alice:example.org"; empty for the admin token.
  std::string device_id;
  bool admin = false;
  bool authenticated() const { return admin || !user_id.empty(); }
};

struct Request {
  Method method = Method::kGet;
  std::string path;  // Raw (still percent-encoded) path, without the query.
  std::multimap<std::string, std::string> query;  // Percent-decoded.
  Headers headers;
  std::string body;
  std::string remote_address;
  bool tls = false;
  // Path parameters of the matched route, percent-decoded. Set by the router.
  absl::flat_hash_map<std::string, std::string> params;
  // The parsed body, for routes declared with Body::kJson.
  boost::json::value json;
  // Who is calling, for routes with Auth other than kNone. Set by the
  // dispatcher after authentication.
  Principal principal;

  // The header's value, or "" when absent; `name` in any case.
  std::string_view Header(std::string_view name) const;
  // The first value of a query parameter, or "" when absent.
  std::string_view Query(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
  // A path parameter by name; "" when the route has none by that name.
  std::string_view Param(std::string_view name) const;
};

// A response body produced piece by piece (downloads), instead of `body`.
// The server holds one piece at a time, so a large file never sits in
// memory. Used from one thread at a time (not necessarily the same one).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // The total number of bytes Next() will produce (Content-Length). Called
  // on an I/O thread: must not block.
  virtual uint64_t size() const = 0;
  // The next piece; an empty string once everything was produced. Called on
  // a worker thread (may read the database). An error closes the connection.
  virtual absl::StatusOr<std::string> Next() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, `body` is ignored and the body is streamed from here. A HEAD
  // request gets the headers (Content-Length = stream->size()) only, and
  // Next() is never called. Producing more or fewer than size() bytes
  // closes the connection.
  std::shared_ptr<BodySource> stream;
  // Extra headers (CORS and content type are added by the server).
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Json(std::string body, int status = 200);
  static Response Text(std::string body, std::string content_type,
                       int status = 200);
};

// Splits "a=1&b=%20x" into decoded pairs ('+' is a space, as in forms).
std::multimap<std::string, std::string> ParseQuery(std::string_view query);

// Decodes %XX escapes. Fails on a truncated or non-hex escape, or when the
// result would contain a NUL byte.
bool PercentDecode(std::string_view in, std::string* out);

}  // namespace myelin::http

#endif  // MYELIN_SERVER_HTTP_MESSAGE_H_
