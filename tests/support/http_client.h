// A small blocking HTTP/1.1 client for tests: one keep-alive connection,
// plain or TLS (certificates not verified: tests use self-signed ones), a
// deadline on every operation so a broken server fails a test instead of
// hanging it.
#ifndef MYELIN_TESTS_SUPPORT_HTTP_CLIENT_H_
#define MYELIN_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace myelin::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // Lower-case names.
  std::string body;
  std::string Header(const std::string& name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port, bool tls = false,
             int timeout_seconds = 10);
  ~HttpClient();

  absl::StatusOr<HttpResult> Send(
      const std::string& method, const std::string& target,
      const std::string& body = "",
      const std::vector<std::pair<std::string, std::string>>& headers = {});
  absl::StatusOr<HttpResult> Get(const std::string& target) {
    return Send("GET", target);
  }

  // Whether the last response left the connection open.
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends `bytes` on a fresh plain TCP connection and returns everything the
// server sends back until it closes the connection or `timeout_ms` passes.
// `closed` tells which of the two happened.
struct RawExchangeResult {
  std::string received;
  bool closed = false;
};
absl::StatusOr<RawExchangeResult> RawExchange(const std::string& host,
                                              uint16_t port,
                                              const std::string& bytes,
                                              int timeout_ms);

}  // namespace myelin::testing

#endif  // MYELIN_TESTS_SUPPORT_HTTP_CLIENT_H_
