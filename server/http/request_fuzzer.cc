// libFuzzer: an arbitrary method, path, query, headers and body go through
// routing, percent-decoding, authentication and the JSON body check without
// crashing, and every answer the dispatcher gives is a well-formed response.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/http/dispatcher.h"

namespace {

using namespace myelin::http;

const Dispatcher& TheDispatcher() {
  static const Dispatcher* dispatcher = [] {
    RouteTable table;
    auto add = [&table](Method method, const char* pattern, Auth auth,
                        Body body) {
      Route route;
      route.method = method;
      route.pattern = pattern;
      route.auth = auth;
      route.body = body;
      route.handler = [](const Request&) -> absl::StatusOr<Response> {
        return Response::Json("{}");
      };
      (void)table.AddUnder(ClientPrefixes(), route);
    };
    add(Method::kGet, "/rooms/{roomId}/state/{eventType}/{stateKey}",
        Auth::kNone, Body::kAny);
    add(Method::kPut, "/rooms/{roomId}/send/{eventType}/{txnId}", Auth::kUser,
        Body::kJson);
    add(Method::kPost, "/createRoom", Auth::kNone, Body::kJson);
    add(Method::kGet, "/rooms/joined/members", Auth::kOptional, Body::kAny);
    Route upload;
    upload.method = Method::kPost;
    upload.pattern = "/_matrix/media/v3/upload";
    upload.auth = Auth::kUser;
    upload.stream_handler = [](const Request&)
        -> absl::StatusOr<std::unique_ptr<BodySink>> { return nullptr; };
    (void)table.Add(upload);
    return new Dispatcher(std::move(table), nullptr);
  }();
  return *dispatcher;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  Request request;
  request.method = static_cast<Method>(data[0] % 8);
  // Split the input into target and body at the first newline.
  size_t newline = input.find('\n');
  std::string target = input.substr(0, newline);
  request.body = newline == std::string::npos ? "" : input.substr(newline + 1);
  size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) {
    request.query = ParseQuery(target.substr(question + 1));
  }
  // As the server does: headers first, the body once it arrived.
  Dispatcher::Decision decision = TheDispatcher().Decide(&request);
  if (decision.route != nullptr && decision.route->stream_handler) {
    request.body.clear();  // Streamed: never in the request.
  }
  TheDispatcher().CheckBody(&request, &decision);
  if (decision.route == nullptr &&
      (decision.response.status < 200 || decision.response.status > 599)) {
    __builtin_trap();
  }
  return 0;
}
