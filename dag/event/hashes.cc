#include "dag/event/hashes.h"

#include <utility>

#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/crypto/base64.h"
#include "dag/crypto/hash.h"
#include "dag/event/redaction.h"
#include "dag/ids/ids.h"

namespace myelin::event {

absl::StatusOr<std::string> ContentHash(const boost::json::object& event,
                                        JsonStrictness strictness) {
  ASSIGN_OR_RETURN(std::string bytes,
                   json::EncodeCanonicalJsonWithout(
                       event, {"unsigned", "signatures", "hashes"}, strictness));
  return crypto::Sha256(bytes);
}

absl::StatusOr<boost::json::object> AddContentHash(boost::json::object event,
                                                   JsonStrictness strictness) {
  ASSIGN_OR_RETURN(std::string hash, ContentHash(event, strictness));
  boost::json::value& hashes = event["hashes"];
  if (!hashes.is_object()) hashes.emplace_object();
  hashes.as_object()["sha256"] = crypto::EncodeBase64(hash);
  return event;
}

absl::Status CheckContentHash(const boost::json::object& event,
                              JsonStrictness strictness) {
  const boost::json::value* hashes = event.if_contains("hashes");
  if (hashes == nullptr || !hashes->is_object()) {
    return BadJson("Event has no \"hashes\" object");
  }
  const boost::json::value* sha = hashes->as_object().if_contains("sha256");
  if (sha == nullptr || !sha->is_string()) {
    return BadJson("Event has no sha256 content hash");
  }
  absl::StatusOr<std::string> claimed = crypto::DecodeBase64(sha->as_string());
  if (!claimed.ok()) return BadJson("Content hash is not valid base64");
  ASSIGN_OR_RETURN(std::string actual, ContentHash(event, strictness));
  if (*claimed != actual) return Forbidden("Content hash mismatch");
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReferenceHash(const boost::json::object& event,
                                          RedactionRules rules,
                                          JsonStrictness strictness) {
  ASSIGN_OR_RETURN(std::string bytes,
                   json::EncodeCanonicalJsonWithout(
                       Redact(event, rules), {"signatures", "unsigned"},
                       strictness));
  return crypto::Sha256(bytes);
}

absl::StatusOr<std::string> ComputeEventId(const boost::json::object& event,
                                           EventIdFormat format,
                                           RedactionRules rules,
                                           JsonStrictness strictness) {
  if (format == EventIdFormat::kV1ServerAssigned) {
    const boost::json::value* id = event.if_contains("event_id");
    if (id == nullptr || !id->is_string()) {
      return BadJson("Event has no \"event_id\"");
    }
    std::string_view id_text = id->as_string();
    RETURN_IF_ERROR(ids::ParseEventId(id_text, format).status());
    return std::string(id_text);
  }
  ASSIGN_OR_RETURN(std::string hash, ReferenceHash(event, rules, strictness));
  return "$" + (format == EventIdFormat::kV3Base64
                    ? crypto::EncodeBase64(hash)
                    : crypto::EncodeBase64UrlSafe(hash));
}

}  // namespace myelin::event
