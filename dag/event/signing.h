// Hashing and signing events, and checking their signatures.
// Spec: server-server-api, "Signing Events" and "Validating hashes and
// signatures on received events"; appendices, "Signing JSON".
//
// An event is signed over its redacted form, after its content hash is set:
// a redacted event keeps verifiable signatures. Pure; thread-safe.
#ifndef MYELIN_DAG_EVENT_SIGNING_H_
#define MYELIN_DAG_EVENT_SIGNING_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "dag/crypto/ed25519.h"
#include "dag/json/canonical.h"
#include "dag/room_version/room_version.h"

namespace myelin::event {

// Sets hashes.sha256, then adds signatures[server_name][key_id] over the
// redacted event. Existing signatures and "unsigned" are kept.
absl::StatusOr<boost::json::object> HashAndSignEvent(
    boost::json::object event, std::string_view server_name,
    std::string_view key_id, const crypto::Ed25519KeyPair& key,
    RedactionRules rules, JsonStrictness strictness);

// OK when signatures[server_name][key_id] verifies against `public_key` over
// the redacted event. Does not check the content hash (CheckContentHash).
// Errors as crypto::VerifyJsonSignature (M_UNAUTHORIZED, M_BAD_JSON).
absl::Status VerifyEventSignature(const boost::json::object& event,
                                  std::string_view server_name,
                                  std::string_view key_id,
                                  std::string_view public_key,
                                  RedactionRules rules,
                                  JsonStrictness strictness);

}  // namespace myelin::event

#endif  // MYELIN_DAG_EVENT_SIGNING_H_
