// `event_fields` of a Filter (Spec: client-server-api, "Filtering";
// definitions/sync_filter.yaml): dot-separated paths of the fields to keep,
// with `\.` for a literal dot and `\\` for a backslash in a field name.
// Pure.
#ifndef MYELIN_SERVER_FILTER_EVENT_FIELDS_H_
#define MYELIN_SERVER_FILTER_EVENT_FIELDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "boost/json/object.hpp"

namespace myelin::filter {

// The path's field names, escapes resolved: "content.m\.relates_to" ->
// {"content", "m.relates_to"}.
std::vector<std::string> SplitFieldPath(std::string_view path);

// The parts of `event` the paths name; paths naming nothing are skipped.
boost::json::object ProjectEventFields(const boost::json::object& event,
                                       const std::vector<std::string>& paths);

}  // namespace myelin::filter

#endif  // MYELIN_SERVER_FILTER_EVENT_FIELDS_H_
