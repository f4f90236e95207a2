#include "server/http/router.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dag/base/strings.h"

namespace myelin::http {

struct RouteTable::Node {
  absl::flat_hash_map<std::string, std::unique_ptr<Node>> literals;
  std::unique_ptr<Node> param;
  std::string param_name;
  std::map<Method, const Route*> methods;
};

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  // The leading '/' yields an empty first piece; skip it.
  for (absl::string_view piece : absl::StrSplit(AV(path.substr(1)), '/')) {
    segments.push_back(SV(piece));
  }
  return segments;
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' &&
         segment.back() == '}';
}

// Depth-first search preferring literal segments over parameters, so
// ".../rooms/{roomId}/state" never shadows a literal route at the same depth.
const RouteTable::Node* Find(const RouteTable::Node* node,
                             const std::vector<std::string_view>& segments,
                             size_t index,
                             std::vector<std::pair<std::string, std::string_view>>* bound) {
  if (index == segments.size()) return node->methods.empty() ? nullptr : node;
  auto literal = node->literals.find(AV(segments[index]));
  if (literal != node->literals.end()) {
    if (const auto* found = Find(literal->second.get(), segments, index + 1, bound)) {
      return found;
    }
  }
  if (node->param) {
    bound->emplace_back(node->param_name, segments[index]);
    if (const auto* found = Find(node->param.get(), segments, index + 1, bound)) {
      return found;
    }
    bound->pop_back();
  }
  return nullptr;
}

}  // namespace

RouteTable::RouteTable() : root_(std::make_unique<Node>()) {}
RouteTable::~RouteTable() = default;
RouteTable::RouteTable(RouteTable&&) noexcept = default;
RouteTable& RouteTable::operator=(RouteTable&&) noexcept = default;

absl::Status RouteTable::Add(Route route) {
  if (route.pattern.empty() || route.pattern[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("route pattern must start with '/': ", route.pattern));
  }
  int handlers = static_cast<int>(static_cast<bool>(route.handler)) +
                 static_cast<int>(static_cast<bool>(route.deferred_handler)) +
                 static_cast<int>(static_cast<bool>(route.stream_handler));
  if (handlers != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "route needs exactly one of handler, deferred_handler and "
        "stream_handler: ",
        route.pattern));
  }
  if (route.stream_handler && route.body != Body::kAny) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a stream route's body is not parsed; declare Body::kAny: ",
        route.pattern));
  }
  Node* node = root_.get();
  for (std::string_view segment : Segments(route.pattern)) {
    if (IsParam(segment)) {
      std::string name(segment.substr(1, segment.size() - 2));
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->param_name = name;
      } else if (node->param_name != name) {
        return absl::InvalidArgumentError(absl::StrCat(
            "parameter {", name, "} conflicts with {", node->param_name,
            "} in ", route.pattern));
      }
      node = node->param.get();
    } else {
      auto& child = node->literals[std::string(segment)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  if (node->methods.count(route.method) > 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        "duplicate route ", AV(MethodName(route.method)), " ", route.pattern));
  }
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  node->methods[routes_.back()->method] = routes_.back().get();
  return absl::OkStatus();
}

absl::Status RouteTable::AddUnder(const std::vector<std::string>& prefixes,
                                  Route route) {
  for (const std::string& prefix : prefixes) {
    Route copy = route;
    copy.pattern = prefix + route.pattern;
    if (absl::Status status = Add(std::move(copy)); !status.ok()) return status;
  }
  return absl::OkStatus();
}

Match RouteTable::Lookup(Method method, std::string_view raw_path) const {
  Match match;
  if (raw_path.empty() || raw_path[0] != '/') return match;
  std::vector<std::pair<std::string, std::string_view>> bound;
  const Node* node = Find(root_.get(), Segments(raw_path), 0, &bound);
  if (node == nullptr) return match;
  auto it = node->methods.find(method);
  if (it == node->methods.end()) {
    match.kind = Match::Kind::kWrongMethod;
    for (const auto& [allowed, route] : node->methods) {
      match.allowed.push_back(allowed);
    }
    return match;
  }
  for (const auto& [name, raw] : bound) {
    std::string decoded;
    if (!PercentDecode(raw, &decoded)) {
      match.kind = Match::Kind::kBadEncoding;
      return match;
    }
    match.params[name] = std::move(decoded);
  }
  match.kind = Match::Kind::kFound;
  match.route = it->second;
  return match;
}

const std::vector<std::string>& ClientPrefixes() {
  static const std::vector<std::string> kPrefixes = {"/_matrix/client/v3",
                                                     "/_matrix/client/r0"};
  return kPrefixes;
}

}  // namespace myelin::http
