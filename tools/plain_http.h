// A minimal blocking HTTP/1.1 client over plain TCP for myelin-admin's
// calls to a running server's local listener. One request per connection
// ("Connection: close"), a timeout on every socket operation, no TLS, no
// chunked request bodies. Not for untrusted servers or the internet.
#ifndef MYELIN_TOOLS_PLAIN_HTTP_H_
#define MYELIN_TOOLS_PLAIN_HTTP_H_

#include <string>

#include "absl/status/statusor.h"

namespace myelin::tools {

struct PlainHttpResponse {
  int status = 0;
  std::string body;
};

// `url` is "http://host:port" (an IP literal or a name; a path is ignored).
absl::StatusOr<PlainHttpResponse> PlainHttpRequest(const std::string& method,
                                                   const std::string& url,
                                                   const std::string& path,
                                                   const std::string& body,
                                                   int timeout_seconds = 30);

}  // namespace myelin::tools

#endif  // MYELIN_TOOLS_PLAIN_HTTP_H_
