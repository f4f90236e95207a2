#include "dag/event/redaction.h"

#include <initializer_list>
#include <span>
#include <string_view>

namespace myelin::event {
namespace {

using Keys = std::initializer_list<std::string_view>;

// Spec: v1-redactions (also v6, v9): top-level keys that survive.
constexpr std::string_view kTopLevelV1[] = {
    "event_id",  "type",        "room_id", "sender",      "state_key",
    "content",   "hashes",      "signatures", "depth",    "prev_events",
    "prev_state", "auth_events", "origin",  "origin_server_ts", "membership"};

// Spec: v11-redactions: "origin", "membership" and "prev_state" are gone.
constexpr std::string_view kTopLevelV11[] = {
    "event_id", "type",  "room_id",     "sender",      "state_key",
    "content",  "hashes", "signatures", "depth",       "prev_events",
    "auth_events", "origin_server_ts"};

bool Contains(std::span<const std::string_view> keys, std::string_view key) {
  for (std::string_view k : keys) {
    if (k == key) return true;
  }
  return false;
}

void CopyKeys(const boost::json::object& from, Keys keys,
              boost::json::object& to) {
  for (std::string_view key : keys) {
    if (const boost::json::value* v = from.if_contains(key)) to[key] = *v;
  }
}

// AtLeast() relies on the rule sets being declared oldest first.
static_assert(RedactionRules::kV1 < RedactionRules::kV6 &&
              RedactionRules::kV6 < RedactionRules::kV8 &&
              RedactionRules::kV8 < RedactionRules::kV9 &&
              RedactionRules::kV9 < RedactionRules::kV11);

bool AtLeast(RedactionRules rules, RedactionRules since) {
  return static_cast<int>(rules) >= static_cast<int>(since);
}

// Spec: v11-redactions, m.room.member: keeps "signed" inside
// "third_party_invite".
void CopyThirdPartyInviteSigned(const boost::json::object& content,
                                boost::json::object& out) {
  const boost::json::value* invite = content.if_contains("third_party_invite");
  if (invite == nullptr || !invite->is_object()) return;
  const boost::json::value* signed_ = invite->as_object().if_contains("signed");
  if (signed_ == nullptr) return;
  out["third_party_invite"] = boost::json::object{{"signed", *signed_}};
}

boost::json::object RedactContent(std::string_view type,
                                  const boost::json::object& content,
                                  RedactionRules rules) {
  const bool v11 = rules == RedactionRules::kV11;
  boost::json::object out;
  if (type == "m.room.member") {
    CopyKeys(content, {"membership"}, out);
    if (AtLeast(rules, RedactionRules::kV9)) {
      CopyKeys(content, {"join_authorised_via_users_server"}, out);
    }
    if (v11) CopyThirdPartyInviteSigned(content, out);
  } else if (type == "m.room.create") {
    if (v11) return content;  // v11: "allows all keys".
    CopyKeys(content, {"creator"}, out);
  } else if (type == "m.room.join_rules") {
    CopyKeys(content, {"join_rule"}, out);
    if (AtLeast(rules, RedactionRules::kV8)) CopyKeys(content, {"allow"}, out);
  } else if (type == "m.room.power_levels") {
    CopyKeys(content,
             {"ban", "events", "events_default", "kick", "redact",
              "state_default", "users", "users_default"},
             out);
    if (v11) CopyKeys(content, {"invite"}, out);
  } else if (type == "m.room.aliases") {
    // Spec: v6-redactions drops the v1 special case for aliases.
    if (rules == RedactionRules::kV1) CopyKeys(content, {"aliases"}, out);
  } else if (type == "m.room.history_visibility") {
    CopyKeys(content, {"history_visibility"}, out);
  } else if (type == "m.room.redaction") {
    if (v11) CopyKeys(content, {"redacts"}, out);
  }
  return out;
}

}  // namespace

boost::json::object Redact(const boost::json::object& event,
                           RedactionRules rules) {
  const std::span<const std::string_view> top =
      rules == RedactionRules::kV11
          ? std::span<const std::string_view>(kTopLevelV11)
          : std::span<const std::string_view>(kTopLevelV1);
  boost::json::object out;
  out.reserve(top.size());
  for (const auto& kv : event) {
    if (Contains(top, kv.key()) && kv.key() != "content") {
      out.emplace(kv.key(), kv.value());
    }
  }
  if (const boost::json::value* content = event.if_contains("content")) {
    std::string_view type;
    if (const boost::json::value* t = event.if_contains("type");
        t != nullptr && t->is_string()) {
      type = t->as_string();
    }
    static const boost::json::object kEmpty;
    out["content"] = RedactContent(
        type, content->is_object() ? content->as_object() : kEmpty, rules);
  }
  return out;
}

}  // namespace myelin::event
