#include "tools/plain_http.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace myelin::tools {
namespace {

struct HostPort {
  std::string host;
  std::string port = "80";
};

absl::StatusOr<HostPort> ParseUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--url must start with http:// (got ", url, ")"));
  }
  std::string rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('/'));
  HostPort hp;
  size_t colon = rest.rfind(':');
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    size_t close = rest.find(']');
    if (close == std::string::npos) return absl::InvalidArgumentError("bad url");
    hp.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') {
      hp.port = rest.substr(close + 2);
    }
  } else if (colon != std::string::npos) {
    hp.host = rest.substr(0, colon);
    hp.port = rest.substr(colon + 1);
  } else {
    hp.host = rest;
  }
  if (hp.host.empty()) return absl::InvalidArgumentError("url has no host");
  return hp;
}

absl::StatusOr<int> Connect(const HostPort& hp, int timeout_seconds) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(hp.host.c_str(), hp.port.c_str(), &hints, &found) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", hp.host));
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{timeout_seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to ", hp.host, ":", hp.port));
  }
  return fd;
}

}  // namespace

absl::StatusOr<PlainHttpResponse> PlainHttpRequest(const std::string& method,
                                                   const std::string& url,
                                                   const std::string& path,
                                                   const std::string& body,
                                                   int timeout_seconds) {
  absl::StatusOr<HostPort> hp = ParseUrl(url);
  if (!hp.ok()) return hp.status();
  absl::StatusOr<int> fd = Connect(*hp, timeout_seconds);
  if (!fd.ok()) return fd.status();
  std::string request = absl::StrCat(
      method, " ", path, " HTTP/1.1\r\nHost: ", hp->host,
      "\r\nConnection: close\r\nContent-Type: application/json\r\n"
      "Content-Length: ", body.size(), "\r\n\r\n", body);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(*fd, request.data() + sent, request.size() - sent,
                     MSG_NOSIGNAL);
    if (n <= 0) {
      close(*fd);
      return absl::UnavailableError("send failed");
    }
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = recv(*fd, buf, sizeof(buf), 0)) > 0) response.append(buf, n);
  close(*fd);
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody" (the server sends Content-Length,
  // and closes after the response as asked).
  size_t space = response.find(' ');
  size_t header_end = response.find("\r\n\r\n");
  PlainHttpResponse result;
  if (space == std::string::npos || header_end == std::string::npos ||
      !absl::SimpleAtoi(response.substr(space + 1, 3), &result.status)) {
    return absl::UnavailableError("malformed HTTP response");
  }
  result.body = response.substr(header_end + 4);
  return result;
}

}  // namespace myelin::tools
