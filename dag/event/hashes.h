// Content hashes, reference hashes and event ids.
// Spec: server-server-api, "Calculating the content hash for an event" and
// "Calculating the reference hash for an event"; rooms/fragments/
// v1-event-ids, v4-event-ids, rooms/v3.md "Event IDs".
//
// Hashes are returned raw (32 bytes); events carry them as unpadded Base64.
// The JSON strictness is the room version's (RoomVersionRules::json).
// Pure; thread-safe.
#ifndef MYELIN_DAG_EVENT_HASHES_H_
#define MYELIN_DAG_EVENT_HASHES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "dag/json/canonical.h"
#include "dag/room_version/room_version.h"

namespace myelin::event {

// SHA-256 of the canonical JSON of `event` without "unsigned",
// "signatures" and "hashes".
absl::StatusOr<std::string> ContentHash(const boost::json::object& event,
                                        JsonStrictness strictness);

// Returns `event` with hashes.sha256 set to its content hash (other hash
// algorithms already present are kept).
absl::StatusOr<boost::json::object> AddContentHash(boost::json::object event,
                                                   JsonStrictness strictness);

// OK when hashes.sha256 matches the content hash. M_BAD_JSON when the
// member is missing or malformed; M_FORBIDDEN on a mismatch (the spec says to
// redact such an event rather than drop it: the caller decides).
absl::Status CheckContentHash(const boost::json::object& event,
                              JsonStrictness strictness);

// SHA-256 of the canonical JSON of the redacted event without "signatures"
// and "unsigned".
absl::StatusOr<std::string> ReferenceHash(const boost::json::object& event,
                                          RedactionRules rules,
                                          JsonStrictness strictness);

// The event id: for kV1ServerAssigned the "event_id" member (checked as a
// v1 id), otherwise "$" + the reference hash in standard (v3) or URL-safe
// (v4+) unpadded Base64.
absl::StatusOr<std::string> ComputeEventId(const boost::json::object& event,
                                           EventIdFormat format,
                                           RedactionRules rules,
                                           JsonStrictness strictness);

}  // namespace myelin::event

#endif  // MYELIN_DAG_EVENT_HASHES_H_
