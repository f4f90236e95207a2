// Unpadded Base64. Spec: appendices, "Unpadded Base64" and "URL-safe
// unpadded Base64".
//
// Encoders never emit '='. Decoders accept input with or without correct '='
// padding (the spec: implementations SHOULD accept both) and reject any other
// character or a length that cannot be Base64. Unused trailing bits are
// ignored, as the spec's own test seed needs. Pure; thread-safe. Errors are
// M_INVALID_PARAM.
#ifndef MYELIN_DAG_CRYPTO_BASE64_H_
#define MYELIN_DAG_CRYPTO_BASE64_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace myelin::crypto {

// Standard alphabet (A-Z a-z 0-9 + /).
std::string EncodeBase64(std::string_view bytes);
absl::StatusOr<std::string> DecodeBase64(std::string_view text);

// URL-safe alphabet ('-' and '_' for 62 and 63), used by v4+ event ids and
// v12 room ids.
std::string EncodeBase64UrlSafe(std::string_view bytes);
absl::StatusOr<std::string> DecodeBase64UrlSafe(std::string_view text);

}  // namespace myelin::crypto

#endif  // MYELIN_DAG_CRYPTO_BASE64_H_
