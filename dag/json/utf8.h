// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF. Pure; thread-safe.
#ifndef MYELIN_DAG_JSON_UTF8_H_
#define MYELIN_DAG_JSON_UTF8_H_

#include <string_view>

namespace myelin::json {

// True when `text` is well-formed UTF-8. The empty string is valid.
bool IsValidUtf8(std::string_view text);

}  // namespace myelin::json

#endif  // MYELIN_DAG_JSON_UTF8_H_
