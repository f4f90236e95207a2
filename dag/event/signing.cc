#include "dag/event/signing.h"

#include <string>
#include <utility>

#include "dag/base/status_macros.h"
#include "dag/crypto/base64.h"
#include "dag/crypto/json_signing.h"
#include "dag/event/hashes.h"
#include "dag/event/redaction.h"

namespace myelin::event {

absl::StatusOr<boost::json::object> HashAndSignEvent(
    boost::json::object event, std::string_view server_name,
    std::string_view key_id, const crypto::Ed25519KeyPair& key,
    RedactionRules rules, JsonStrictness strictness) {
  ASSIGN_OR_RETURN(event, AddContentHash(std::move(event), strictness));
  ASSIGN_OR_RETURN(std::string bytes,
                   crypto::SignedBytes(Redact(event, rules), strictness));
  RETURN_IF_ERROR(crypto::AddSignature(event, server_name, key_id,
                                       crypto::EncodeBase64(key.Sign(bytes))));
  return event;
}

absl::Status VerifyEventSignature(const boost::json::object& event,
                                  std::string_view server_name,
                                  std::string_view key_id,
                                  std::string_view public_key,
                                  RedactionRules rules,
                                  JsonStrictness strictness) {
  return crypto::VerifyJsonSignature(Redact(event, rules), server_name, key_id,
                                     public_key, strictness);
}

}  // namespace myelin::event
