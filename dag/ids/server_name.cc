// Spec: appendices, Server Name.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "dag/base/strings.h"
#include "dag/base/matrix_error.h"
#include "dag/ids/ids.h"

namespace myelin::ids {
namespace {

constexpr size_t kMaxDnsNameBytes = 255;

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsDnsChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '.';
}
bool IsIpv6Char(char c) {
  return absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == ':' ||
         c == '.';
}

// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT. A host of
// that shape is an IPv4 literal and needs octets 0-255 ("999.1.1.1" is
// refused rather than taken as a DNS name).
bool LooksLikeIpv4(std::string_view host) {
  int groups = 0;
  for (absl::string_view part : absl::StrSplit(AV(host), '.')) {
    if (part.empty() || part.size() > 3 || !AllOf(SV(part), IsDigit)) {
      return false;
    }
    ++groups;
  }
  return groups == 4;
}

bool IsValidIpv4(std::string_view host) {
  for (absl::string_view part : absl::StrSplit(AV(host), '.')) {
    if (std::stoi(std::string(part)) > 255) return false;
  }
  return true;
}

absl::Status CheckHost(std::string_view host) {
  if (host.empty()) return InvalidParam("Server name has an empty host");
  if (host.front() == '[') {
    std::string_view addr = host.substr(1, host.size() - 2);
    in6_addr unused;
    // IPv6address = 2*45IPv6char, and RFC 3513 section 2.2 syntax.
    if (host.back() != ']' || addr.size() < 2 || addr.size() > 45 ||
        !AllOf(addr, IsIpv6Char) ||
        inet_pton(AF_INET6, std::string(addr).c_str(), &unused) != 1) {
      return InvalidParam("Invalid IPv6 literal in server name");
    }
    return absl::OkStatus();
  }
  if (host.size() > kMaxDnsNameBytes || !AllOf(host, IsDnsChar)) {
    return InvalidParam("Invalid host in server name");
  }
  if (LooksLikeIpv4(host) && !IsValidIpv4(host)) {
    return InvalidParam("Invalid IPv4 literal in server name");
  }
  return absl::OkStatus();
}

absl::StatusOr<uint16_t> ParsePort(std::string_view digits) {
  if (digits.empty() || digits.size() > 5 || !AllOf(digits, IsDigit)) {
    return InvalidParam("Invalid port in server name");
  }
  const int port = std::stoi(std::string(digits));
  if (port > 65535) return InvalidParam("Port out of range in server name");
  return static_cast<uint16_t>(port);
}

}  // namespace

absl::StatusOr<ServerName> ParseServerName(std::string_view name) {
  ServerName out;
  size_t host_end = name.size();
  if (!name.empty() && name.front() == '[') {
    const size_t close = name.find(']');
    if (close == std::string_view::npos) {
      return InvalidParam("Unterminated IPv6 literal in server name");
    }
    host_end = close + 1;
    if (host_end < name.size() && name[host_end] != ':') {
      return InvalidParam("Invalid server name");
    }
  } else {
    host_end = std::min(name.find(':'), name.size());
  }
  out.host = name.substr(0, host_end);
  absl::Status host = CheckHost(out.host);
  if (!host.ok()) return host;
  if (host_end < name.size()) {
    absl::StatusOr<uint16_t> port = ParsePort(name.substr(host_end + 1));
    if (!port.ok()) return port.status();
    out.port = *port;
  }
  return out;
}

bool IsValidServerName(std::string_view name) {
  return ParseServerName(name).ok();
}

}  // namespace myelin::ids
