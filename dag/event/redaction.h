// The redaction algorithm, per rule set. Spec: rooms/fragments/v1-redactions,
// v6-redactions, v9-redactions, v11-redactions; rooms/v8.md "Redactions".
//
// Redaction keeps an allow-list of top-level keys and, for a few event types,
// of content keys. It is used to redact events, and to compute reference
// hashes and signatures (which cover the redacted form). The rule set is
// data: RoomVersionRules::redaction.
//
// Pure; thread-safe.
#ifndef MYELIN_DAG_EVENT_REDACTION_H_
#define MYELIN_DAG_EVENT_REDACTION_H_

#include "boost/json/object.hpp"
#include "dag/room_version/room_version.h"

namespace myelin::event {

// Returns the redacted copy of `event`. Members that are not objects where
// objects are expected (e.g. a string "content") are treated as empty
// objects; shape checks are CheckPduShape's job.
boost::json::object Redact(const boost::json::object& event,
                           RedactionRules rules);

}  // namespace myelin::event

#endif  // MYELIN_DAG_EVENT_REDACTION_H_
