// POST /createRoom. Spec: client-server-api, "Creation" (create_room.yaml):
// the events are sent in the order the spec lists.
#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/ids/ids.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
namespace {

using http::Request;
using http::Response;

struct Preset {
  std::string join_rule;
  std::string history_visibility;
  std::string guest_access;
  bool invitees_are_admins = false;
};

absl::StatusOr<Preset> PresetFor(const boost::json::object& body) {
  std::string name;
  if (const auto* preset = body.if_contains("preset")) {
    if (!preset->is_string()) return BadJson("preset must be a string");
    name = std::string(preset->as_string());
  } else {
    const auto* visibility = body.if_contains("visibility");
    bool is_public = visibility != nullptr && visibility->is_string() &&
                     visibility->as_string() == "public";
    name = is_public ? "public_chat" : "private_chat";
  }
  if (name == "private_chat") return Preset{"invite", "shared", "can_join"};
  if (name == "trusted_private_chat") {
    return Preset{"invite", "shared", "can_join", true};
  }
  if (name == "public_chat") return Preset{"public", "shared", "forbidden"};
  return InvalidParam(absl::StrCat("unknown preset ", name));
}

absl::StatusOr<const RoomVersionRules*> VersionFor(
    const boost::json::object& body) {
  const auto* version = body.if_contains("room_version");
  if (version == nullptr) return &DefaultRoomVersion();
  if (!version->is_string()) return BadJson("room_version must be a string");
  const RoomVersionRules* rules =
      FindRoomVersion(std::string(version->as_string()));
  if (rules == nullptr) {
    return MatrixError(400, errcode::kUnsupportedRoomVersion,
                       "This server does not support that room version");
  }
  return rules;
}

std::vector<std::string> Invitees(const boost::json::object& body) {
  std::vector<std::string> users;
  if (const auto* invite = body.if_contains("invite");
      invite != nullptr && invite->is_array()) {
    for (const auto& user : invite->as_array()) {
      if (user.is_string()) users.emplace_back(user.as_string());
    }
  }
  return users;
}

// Spec: create_room.yaml, step 3 — the default power levels; the creator
// (and, for trusted_private_chat, invitees) get 100 before v12, where
// creators have infinite power and are not listed.
boost::json::object DefaultPowerLevels(const RoomVersionRules& rules,
                                       std::string_view creator,
                                       const std::vector<std::string>& admins) {
  boost::json::object users;
  if (!rules.privileged_creators) {
    users[creator] = 100;
    for (const std::string& user : admins) users[user] = 100;
  }
  boost::json::object events{
      {"m.room.name", 50},          {"m.room.power_levels", 100},
      {"m.room.history_visibility", 100}, {"m.room.canonical_alias", 50},
      {"m.room.avatar", 50},        {"m.room.server_acl", 100},
      {"m.room.encryption", 100},
      // Spec: v12 requires tombstones above state_default.
      {"m.room.tombstone", rules.privileged_creators ? 150 : 100}};
  return boost::json::object{
      {"users", std::move(users)}, {"users_default", 0},
      {"events", std::move(events)}, {"events_default", 0},
      {"state_default", 50},      {"ban", 50},
      {"kick", 50},               {"redact", 50},
      {"invite", 0},              {"notifications", {{"room", 50}}}};
}

class RoomCreation {
 public:
  RoomCreation(const RoomsContext* context, std::string creator)
      : context_(context), creator_(std::move(creator)) {}

  absl::StatusOr<std::string> Run(const boost::json::object& body);

 private:
  absl::Status SendState(std::string type, std::string state_key,
                          boost::json::object content) {
    event::EventDraft draft;
    draft.room_id = room_id_;
    draft.type = std::move(type);
    draft.state_key = std::move(state_key);
    draft.sender = creator_;
    draft.content = std::move(content);
    RETURN_IF_ERROR(CheckStateEvent(*context_, draft));
    return context_->writer->Send(draft).status();
  }
  absl::Status SendInitialState(const boost::json::object& body);

  const RoomsContext* context_;
  std::string creator_;
  std::string room_id_;
};

absl::Status RoomCreation::SendInitialState(const boost::json::object& body) {
  const auto* initial = body.if_contains("initial_state");
  if (initial == nullptr) return absl::OkStatus();
  if (!initial->is_array()) return BadJson("initial_state must be a list");
  for (const auto& item : initial->as_array()) {
    const auto* event = item.if_object();
    if (event == nullptr) return BadJson("initial_state entries are objects");
    const auto* type = event->if_contains("type");
    const auto* content = event->if_contains("content");
    const auto* state_key = event->if_contains("state_key");
    if (type == nullptr || !type->is_string() || content == nullptr ||
        !content->is_object() ||
        (state_key != nullptr && !state_key->is_string())) {
      return BadJson("initial_state entries need type and content");
    }
    RETURN_IF_ERROR(SendState(
        std::string(type->as_string()),
        state_key ? std::string(state_key->as_string()) : std::string(),
        content->as_object()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RoomCreation::Run(const boost::json::object& body) {
  ASSIGN_OR_RETURN(const RoomVersionRules* rules, VersionFor(body));
  ASSIGN_OR_RETURN(Preset preset, PresetFor(body));
  std::vector<std::string> invitees = Invitees(body);
  ASSIGN_OR_RETURN(NewRoomDirectory directory,
                   DirectoryForNewRoom(*context_, body));
  for (const std::string& user : invitees) {
    if (!ids::ParseUserId(user, ids::UserIdGrammar::kHistorical).ok()) {
      return InvalidParam(absl::StrCat("invalid user id in invite: ", user));
    }
  }
  boost::json::object create_content;
  if (const auto* extra = body.if_contains("creation_content")) {
    if (!extra->is_object()) return BadJson("creation_content must be an object");
    create_content = extra->as_object();
  }
  if (rules->privileged_creators && preset.invitees_are_admins) {
    boost::json::array creators;
    for (const std::string& user : invitees) creators.emplace_back(user);
    create_content["additional_creators"] = std::move(creators);
  }
  ASSIGN_OR_RETURN(SentEvent create,
                   context_->writer->CreateRoom(*rules, creator_, create_content));
  room_id_ = create.room_id;
  RETURN_IF_ERROR(
      SendState("m.room.member", creator_,
                MemberContent(*context_, creator_, "join")));
  boost::json::object power = DefaultPowerLevels(
      *rules, creator_,
      preset.invitees_are_admins ? invitees : std::vector<std::string>{});
  if (const auto* override = body.if_contains("power_level_content_override")) {
    if (!override->is_object()) {
      return BadJson("power_level_content_override must be an object");
    }
    for (const auto& [key, value] : override->as_object()) power[key] = value;
  }
  RETURN_IF_ERROR(SendState("m.room.power_levels", "", std::move(power)));
  if (!directory.alias.empty()) {
    RETURN_IF_ERROR(
        AddNewRoomAlias(*context_, directory.alias, room_id_, creator_));
    RETURN_IF_ERROR(SendState("m.room.canonical_alias", "",
                              {{"alias", directory.alias}}));
  }
  RETURN_IF_ERROR(SendState("m.room.join_rules", "",
                            {{"join_rule", preset.join_rule}}));
  RETURN_IF_ERROR(SendState("m.room.history_visibility", "",
                            {{"history_visibility", preset.history_visibility}}));
  RETURN_IF_ERROR(SendState("m.room.guest_access", "",
                            {{"guest_access", preset.guest_access}}));
  RETURN_IF_ERROR(SendInitialState(body));
  for (const char* field : {"name", "topic"}) {
    const auto* value = body.if_contains(field);
    if (value == nullptr) continue;
    if (!value->is_string()) return BadJson(absl::StrCat(field, " must be a string"));
    RETURN_IF_ERROR(SendState(absl::StrCat("m.room.", field), "",
                              {{field, value->as_string()}}));
  }
  const auto* is_direct = body.if_contains("is_direct");
  for (const std::string& user : invitees) {
    boost::json::object content = MemberContent(*context_, user, "invite");
    if (is_direct != nullptr && is_direct->is_bool() && is_direct->as_bool()) {
      content["is_direct"] = true;
    }
    RETURN_IF_ERROR(SendState("m.room.member", user, std::move(content)));
  }
  if (directory.publish) {
    RETURN_IF_ERROR(context_->directory->SetPublished(room_id_, true));
  }
  return room_id_;
}

}  // namespace

absl::Status AddCreateRoomRoutes(http::RouteTable* table,
                                 const RoomsContext* context) {
  http::Route route;
  route.method = http::Method::kPost;
  route.pattern = "/createRoom";
  route.auth = http::Auth::kUser;
  route.rate_limit = context->message_limit;
  route.body = http::Body::kJson;
  route.handler = [context](const Request& r) -> absl::StatusOr<Response> {
    RoomCreation creation(context, r.principal.user_id);
    ASSIGN_OR_RETURN(std::string room_id, creation.Run(r.json.as_object()));
    return Response::Json(
        boost::json::serialize(boost::json::object{{"room_id", room_id}}));
  };
  return table->AddUnder(http::ClientPrefixes(), std::move(route));
}

}  // namespace myelin::rooms
