#include "server/filter/event_fields.h"

#include "dag/base/strings.h"

namespace myelin::filter {

std::vector<std::string> SplitFieldPath(std::string_view path) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '\\' && i + 1 < path.size() &&
        (path[i + 1] == '.' || path[i + 1] == '\\')) {
      parts.back().push_back(path[++i]);
    } else if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  return parts;
}

namespace {

// Copies the value at `parts` of `from` into `to`, creating the objects
// on the way.
void CopyPath(const boost::json::object& from,
              const std::vector<std::string>& parts, size_t i,
              boost::json::object& to) {
  const boost::json::value* value = from.if_contains(parts[i]);
  if (value == nullptr) return;
  if (i + 1 == parts.size()) {
    to[parts[i]] = *value;
    return;
  }
  if (!value->is_object()) return;
  boost::json::value& child = to[parts[i]];
  if (!child.is_object()) child = boost::json::object();
  CopyPath(value->as_object(), parts, i + 1, child.as_object());
  if (child.as_object().empty()) to.erase(parts[i]);
}

}  // namespace

boost::json::object ProjectEventFields(const boost::json::object& event,
                                       const std::vector<std::string>& paths) {
  boost::json::object projected;
  for (const std::string& path : paths) {
    std::vector<std::string> parts = SplitFieldPath(path);
    CopyPath(event, parts, 0, projected);
  }
  return projected;
}

}  // namespace myelin::filter
