// Dot-separated property paths (push rule conditions): "content.m\.relates_to"
// names content["m.relates_to"]. Spec: appendices, "Dot-separated property
// paths". Pure; thread-safe.
#ifndef MYELIN_DAG_EVENT_PROPERTY_PATH_H_
#define MYELIN_DAG_EVENT_PROPERTY_PATH_H_

#include <string>
#include <string_view>
#include <vector>

namespace myelin::event {

// Splits at unescaped dots; "\." and "\\" unescape, any other backslash is
// kept literally with the character after it.
std::vector<std::string> SplitPropertyPath(std::string_view path);

}  // namespace myelin::event

#endif  // MYELIN_DAG_EVENT_PROPERTY_PATH_H_
