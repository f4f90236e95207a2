#include "server/http/message.h"

#include "absl/strings/ascii.h"
#include "dag/base/strings.h"

namespace myelin::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view MethodName(Method method) {
  switch (method) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kDelete: return "DELETE";
    case Method::kOptions: return "OPTIONS";
    case Method::kPatch: return "PATCH";
    case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

std::string_view Request::Header(std::string_view name) const {
  // Stored with lower-case names; HTTP header names are case-insensitive.
  auto it = headers.find(absl::AsciiStrToLower(AV(name)));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string_view() : std::string_view(it->second);
}

bool Request::HasQuery(std::string_view name) const {
  return query.count(std::string(name)) > 0;
}

std::string_view Request::Param(std::string_view name) const {
  auto it = params.find(std::string(name));
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

Response Response::Json(std::string body, int status) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::Text(std::string body, std::string content_type,
                        int status) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int high = HexValue(in[i + 1]);
    int low = HexValue(in[i + 2]);
    if (high < 0 || low < 0) return false;
    char decoded = static_cast<char>(high * 16 + low);
    if (decoded == '\0') return false;
    out->push_back(decoded);
    i += 2;
  }
  return true;
}

std::multimap<std::string, std::string> ParseQuery(std::string_view query) {
  std::multimap<std::string, std::string> result;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    for (std::string* s : {&key, &value}) {
      for (char& c : *s) {
        if (c == '+') c = ' ';
      }
    }
    std::string decoded_key, decoded_value;
    // A malformed escape keeps the raw text rather than dropping the pair.
    if (!PercentDecode(key, &decoded_key)) decoded_key = key;
    if (!PercentDecode(value, &decoded_value)) decoded_value = value;
    result.emplace(std::move(decoded_key), std::move(decoded_value));
  }
  return result;
}

}  // namespace myelin::http
