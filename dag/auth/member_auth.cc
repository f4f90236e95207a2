// Rule 5 (4 before v12): m.room.member events.
#include <string>

#include "absl/strings/str_format.h"
#include "dag/auth/auth_context.h"

namespace myelin::auth_internal {
namespace {

const boost::json::object* ContentObject(const boost::json::object& o,
                                         std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

std::optional<std::string_view> StringIn(const boost::json::object& o,
                                         std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

// Rule 5.3.1: "the only previous event is an m.room.create and the
// state_key is the creator" (v11+: the create event's sender).
bool IsCreatorsFirstJoin(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  if (event.prev_events().size() != 1 ||
      event.prev_events()[0] != ctx.create().event_id()) {
    return false;
  }
  const std::string& target = *event.state_key();
  if (ctx.rules().use_room_create_sender) {
    return target == ctx.create().sender();
  }
  return ctx.create().ContentString("creator") == std::string_view(target);
}

bool IsRestricted(const AuthContext& ctx, std::string_view join_rule) {
  return (ctx.rules().restricted_join_rule && join_rule == "restricted") ||
         (ctx.rules().knock_restricted_join_rule &&
          join_rule == "knock_restricted");
}

// Rule 5.3: membership "join".
absl::Status CheckJoin(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  const std::string& target = *event.state_key();
  // Rule 5.3.1 (since v1).
  if (IsCreatorsFirstJoin(ctx)) return absl::OkStatus();
  // Rule 5.3.2 (since v1).
  if (event.sender() != target) {
    return Reject("5.3.2", "sender does not match state_key");
  }
  const std::string_view current = ctx.MembershipOf(target);
  // Rule 5.3.3 (since v1).
  if (current == "ban") return Reject("5.3.3", "sender is banned");
  const std::string_view join_rule = ctx.JoinRule();
  // Rule 5.3.4 (since v1; "knock" since v7).
  if (join_rule == "invite" || (ctx.rules().knocking && join_rule == "knock")) {
    if (current == "invite" || current == "join") return absl::OkStatus();
    return Reject("5.3.4", "join rule requires an invite");
  }
  // Rule 5.3.5 (restricted since v8, knock_restricted since v10).
  if (IsRestricted(ctx, join_rule)) {
    if (current == "invite" || current == "join") return absl::OkStatus();
    std::optional<std::string_view> via =
        event.ContentString("join_authorised_via_users_server");
    if (!via || ctx.MembershipOf(*via) != "join" ||
        ctx.LevelOf(*via) < ctx.Level(PowerLevelField::kInvite)) {
      return Reject("5.3.5.2",
                    "join_authorised_via_users_server is not a joined user "
                    "who may invite");
    }
    return absl::OkStatus();
  }
  // Rule 5.3.6 (since v1).
  if (join_rule == "public") return absl::OkStatus();
  // Rule 5.3.7.
  return Reject("5.3.7",
                absl::StrFormat("join rule '%s' forbids joining", join_rule));
}

// Rule 5.4.1: invites with content.third_party_invite.
absl::Status CheckThirdPartyInvite(const AuthContext& ctx,
                                   const boost::json::object& tpi) {
  const Pdu& event = ctx.event();
  const std::string& target = *event.state_key();
  // Rule 5.4.1.1.
  if (ctx.MembershipOf(target) == "ban") {
    return Reject("5.4.1.1", "target user is banned");
  }
  // Rules 5.4.1.2 and 5.4.1.3.
  const boost::json::object* signed_obj = ContentObject(tpi, "signed");
  if (signed_obj == nullptr) return Reject("5.4.1.2", "no signed property");
  std::optional<std::string_view> mxid = StringIn(*signed_obj, "mxid");
  std::optional<std::string_view> token = StringIn(*signed_obj, "token");
  if (!mxid || !token) return Reject("5.4.1.3", "signed lacks mxid or token");
  // Rule 5.4.1.4.
  if (*mxid != target)
    return Reject("5.4.1.4", "mxid does not match state_key");
  // Rule 5.4.1.5.
  const Pdu* invite = ctx.Get(event_type::kThirdPartyInvite, *token);
  if (invite == nullptr) {
    return Reject("5.4.1.5", "no m.room.third_party_invite for the token");
  }
  // Rule 5.4.1.6.
  if (invite->sender() != event.sender()) {
    return Reject("5.4.1.6", "sender did not send the third-party invite");
  }
  // Rule 5.4.1.7: any signature matches any public key.
  const auto& verify = ctx.hooks().verify_third_party_signature;
  if (verify) {
    if (auto key = invite->ContentString("public_key");
        key && verify(*signed_obj, *key)) {
      return absl::OkStatus();
    }
    if (const boost::json::value* keys =
            invite->content().if_contains("public_keys");
        keys != nullptr && keys->is_array()) {
      for (const boost::json::value& k : keys->get_array()) {
        const boost::json::object* ko =
            k.is_object() ? &k.get_object() : nullptr;
        if (ko == nullptr) continue;
        if (auto key = StringIn(*ko, "public_key");
            key && verify(*signed_obj, *key)) {
          return absl::OkStatus();
        }
      }
    }
  }
  // Rule 5.4.1.8.
  return Reject("5.4.1.8", "no valid signature from the invite's public keys");
}

// Rule 5.4: membership "invite".
absl::Status CheckInvite(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  if (const boost::json::object* tpi =
          ContentObject(event.content(), "third_party_invite")) {
    return CheckThirdPartyInvite(ctx, *tpi);
  }
  // Rule 5.4.2.
  if (ctx.MembershipOf(event.sender()) != "join") {
    return Reject("5.4.2", "sender is not joined");
  }
  // Rule 5.4.3.
  const std::string_view target = ctx.MembershipOf(*event.state_key());
  if (target == "join" || target == "ban") {
    return Reject("5.4.3", "target user is joined or banned");
  }
  // Rules 5.4.4 and 5.4.5.
  if (ctx.LevelOf(event.sender()) >= ctx.Level(PowerLevelField::kInvite)) {
    return absl::OkStatus();
  }
  return Reject("5.4.5", "sender's power level is below the invite level");
}

// Rule 5.5: membership "leave".
absl::Status CheckLeave(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  const std::string& target = *event.state_key();
  const std::string_view target_membership = ctx.MembershipOf(target);
  // Rule 5.5.1 ("knock" since v7).
  if (event.sender() == target) {
    if (target_membership == "invite" || target_membership == "join" ||
        (ctx.rules().knocking && target_membership == "knock")) {
      return absl::OkStatus();
    }
    return Reject("5.5.1",
                  "user cannot leave: not invited, joined or knocking");
  }
  // Rule 5.5.2.
  if (ctx.MembershipOf(event.sender()) != "join") {
    return Reject("5.5.2", "sender is not joined");
  }
  const int64_t sender_level = ctx.LevelOf(event.sender());
  // Rule 5.5.3.
  if (target_membership == "ban" &&
      sender_level < ctx.Level(PowerLevelField::kBan)) {
    return Reject("5.5.3", "sender may not unban");
  }
  // Rules 5.5.4 and 5.5.5.
  if (sender_level >= ctx.Level(PowerLevelField::kKick) &&
      ctx.LevelOf(target) < sender_level) {
    return absl::OkStatus();
  }
  return Reject("5.5.5", "sender may not kick the target user");
}

// Rule 5.6: membership "ban".
absl::Status CheckBan(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  // Rule 5.6.1.
  if (ctx.MembershipOf(event.sender()) != "join") {
    return Reject("5.6.1", "sender is not joined");
  }
  // Rules 5.6.2 and 5.6.3.
  const int64_t sender_level = ctx.LevelOf(event.sender());
  if (sender_level >= ctx.Level(PowerLevelField::kBan) &&
      ctx.LevelOf(*event.state_key()) < sender_level) {
    return absl::OkStatus();
  }
  return Reject("5.6.3", "sender may not ban the target user");
}

// Rule 5.7 (since v7): membership "knock".
absl::Status CheckKnock(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  const std::string_view join_rule = ctx.JoinRule();
  // Rule 5.7.1 (knock_restricted since v10).
  if (join_rule != "knock" && !(ctx.rules().knock_restricted_join_rule &&
                                join_rule == "knock_restricted")) {
    return Reject("5.7.1", "join rule does not allow knocking");
  }
  // Rule 5.7.2.
  if (event.sender() != *event.state_key()) {
    return Reject("5.7.2", "sender does not match state_key");
  }
  // Rules 5.7.3 and 5.7.4.
  const std::string_view current = ctx.MembershipOf(event.sender());
  if (current != "ban" && current != "invite" && current != "join") {
    return absl::OkStatus();
  }
  return Reject("5.7.4", "sender is banned, invited or joined");
}

}  // namespace

absl::Status CheckMember(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  // Rule 5.1 (since v1).
  std::optional<std::string_view> membership = event.membership();
  if (!event.state_key() || !membership) {
    return Reject("5.1", "no state_key or no membership");
  }
  // Rule 5.2 (since v8): join_authorised_via_users_server is signed for.
  if (ctx.rules().restricted_join_rule && ctx.hooks().verify_event_signed_by) {
    if (auto via = event.ContentString("join_authorised_via_users_server");
        via && !ctx.hooks().verify_event_signed_by(event, ServerNameOf(*via))) {
      return Reject("5.2.1",
                    "event is not signed by the authorising user's server");
    }
  }
  if (*membership == "join") return CheckJoin(ctx);
  if (*membership == "invite") return CheckInvite(ctx);
  if (*membership == "leave") return CheckLeave(ctx);
  if (*membership == "ban") return CheckBan(ctx);
  if (ctx.rules().knocking && *membership == "knock") return CheckKnock(ctx);
  // Rule 5.8.
  return Reject("5.8", absl::StrFormat("unknown membership '%s'", *membership));
}

}  // namespace myelin::auth_internal
