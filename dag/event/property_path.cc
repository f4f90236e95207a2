#include "dag/event/property_path.h"

namespace myelin::event {

std::vector<std::string> SplitPropertyPath(std::string_view path) {
  std::vector<std::string> segments(1);
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      segments.emplace_back();
    } else if (c == '\\' && i + 1 < path.size() &&
               (path[i + 1] == '.' || path[i + 1] == '\\')) {
      segments.back().push_back(path[++i]);
    } else {
      segments.back().push_back(c);
    }
  }
  return segments;
}

}  // namespace myelin::event
