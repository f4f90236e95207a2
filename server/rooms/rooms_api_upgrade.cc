// POST /rooms/{roomId}/upgrade. Spec: client-server-api, "Room Upgrades",
// "Server behaviour": check tombstone permission, create the replacement
// room with `predecessor`, replicate the transferable state, tombstone the
// old room and lower what its members may do.
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/log.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
namespace {

using http::Request;
using http::Response;

// Spec: the recommended transferable state, power levels first so the
// upgrading user may send the rest.
constexpr const char* kTransferredState[] = {
    "m.room.power_levels", "m.room.join_rules",   "m.room.history_visibility",
    "m.room.guest_access", "m.room.name",         "m.room.topic",
    "m.room.avatar",       "m.room.encryption",   "m.room.server_acl",
};

class Upgrade {
 public:
  Upgrade(const RoomsContext* context, std::string user, std::string old_room)
      : context_(context), user_(std::move(user)), old_room_(std::move(old_room)) {}

  absl::StatusOr<std::string> Run(const RoomVersionRules& new_rules,
                                  const boost::json::object& body);

 private:
  absl::Status Send(const std::string& room, std::string type,
                    boost::json::object content) {
    event::EventDraft draft;
    draft.room_id = room;
    draft.type = std::move(type);
    draft.state_key = "";
    draft.sender = user_;
    draft.content = std::move(content);
    return context_->writer->Send(draft).status();
  }
  absl::StatusOr<boost::json::object> CreateContent(
      const RoomVersionRules& new_rules, const boost::json::object& body);
  absl::Status TransferState(const RoomVersionRules& new_rules,
                             const std::string& new_room);
  void RestrictOldRoom();
  void AdjustCreatorPower(const RoomVersionRules& new_rules,
                          boost::json::object& power_levels) const;

  const RoomsContext* context_;
  std::string user_;
  std::string old_room_;
};

absl::StatusOr<boost::json::object> Upgrade::CreateContent(
    const RoomVersionRules& new_rules, const boost::json::object& body) {
  boost::json::object content;
  boost::json::object predecessor{{"room_id", old_room_}};
  ASSIGN_OR_RETURN(auto old_create,
                   context_->writer->CurrentState(old_room_, "m.room.create", ""));
  if (auto type = old_create->pdu.ContentString("type")) content["type"] = *type;
  if (!new_rules.room_id_is_create_event_id) {
    // Spec: before v12, predecessor.event_id names an event of the old room.
    predecessor["event_id"] = old_create->pdu.event_id();
  }
  content["predecessor"] = std::move(predecessor);
  if (const auto* creators = body.if_contains("additional_creators")) {
    if (!creators->is_array()) return BadJson("additional_creators must be a list");
    if (new_rules.privileged_creators) content["additional_creators"] = *creators;
  }
  return content;
}

// The upgrading user creates the new room. Spec: rooms/v12 — creators have
// infinite power and must not be listed in `users`; before v12 the creator
// needs an explicit level, which a v12 room's power levels do not hold.
void Upgrade::AdjustCreatorPower(const RoomVersionRules& new_rules,
                                 boost::json::object& power_levels) const {
  boost::json::value& users = power_levels["users"];
  if (!users.is_object()) users = boost::json::object();
  if (new_rules.privileged_creators) {
    users.as_object().erase(user_);
    return;
  }
  const boost::json::value* level = users.as_object().if_contains(user_);
  if (level == nullptr || !level->is_int64() || level->as_int64() < 100) {
    users.as_object()[user_] = 100;
  }
}

absl::Status Upgrade::TransferState(const RoomVersionRules& new_rules,
                                    const std::string& new_room) {
  for (const char* type : kTransferredState) {
    absl::StatusOr<std::shared_ptr<const CachedPdu>> event =
        context_->writer->CurrentState(old_room_, type, "");
    if (absl::IsNotFound(event.status())) continue;
    RETURN_IF_ERROR(event.status());
    boost::json::object content = (*event)->pdu.content();
    if (std::string_view(type) == "m.room.power_levels") {
      AdjustCreatorPower(new_rules, content);
    }
    RETURN_IF_ERROR(Send(new_room, type, std::move(content)));
  }
  return absl::OkStatus();
}

void Upgrade::RestrictOldRoom() {
  absl::StatusOr<RoomWriter::Powers> powers =
      context_->writer->PowersOf(old_room_, user_);
  absl::StatusOr<std::shared_ptr<const CachedPdu>> levels =
      context_->writer->CurrentState(old_room_, "m.room.power_levels", "");
  if (!powers.ok() || !levels.ok()) return;
  // Spec: events_default and invite become max(50, users_default + 1).
  int64_t restricted =
      std::max<int64_t>(50, powers->levels.Get(PowerLevelField::kUsersDefault) + 1);
  boost::json::object content = (*levels)->pdu.content();
  content["events_default"] = restricted;
  content["invite"] = restricted;
  if (absl::Status s = Send(old_room_, "m.room.power_levels", std::move(content));
      !s.ok()) {
    MLOG(INFO) << "old room " << old_room_ << " left unrestricted: " << s;
  }
}

absl::StatusOr<std::string> Upgrade::Run(const RoomVersionRules& new_rules,
                                         const boost::json::object& body) {
  ASSIGN_OR_RETURN(RoomWriter::Powers powers,
                   context_->writer->PowersOf(old_room_, user_));
  if (powers.user_level < powers.levels.EventLevel("m.room.tombstone", true)) {
    return Forbidden("You cannot send m.room.tombstone in this room");
  }
  ASSIGN_OR_RETURN(boost::json::object create, CreateContent(new_rules, body));
  ASSIGN_OR_RETURN(SentEvent created,
                   context_->writer->CreateRoom(new_rules, user_, std::move(create)));
  event::EventDraft join;
  join.room_id = created.room_id;
  join.type = "m.room.member";
  join.state_key = user_;
  join.sender = user_;
  join.content = MemberContent(*context_, user_, "join");
  RETURN_IF_ERROR(context_->writer->Send(join).status());
  RETURN_IF_ERROR(TransferState(new_rules, created.room_id));
  // Spec: server behaviour 4 — local aliases (and the directory entry) move.
  RETURN_IF_ERROR(
      MoveDirectoryToUpgradedRoom(*context_, old_room_, created.room_id, user_));
  RETURN_IF_ERROR(Send(old_room_, "m.room.tombstone",
                       {{"body", "This room has been replaced"},
                        {"replacement_room", created.room_id}}));
  RestrictOldRoom();
  return created.room_id;
}

}  // namespace

absl::Status AddUpgradeRoutes(http::RouteTable* table,
                              const RoomsContext* context) {
  http::Route route;
  route.method = http::Method::kPost;
  route.pattern = "/rooms/{roomId}/upgrade";
  route.auth = http::Auth::kUser;
  route.rate_limit = context->message_limit;
  route.body = http::Body::kJson;
  route.handler = [context](const Request& r) -> absl::StatusOr<Response> {
    ASSIGN_OR_RETURN(std::string version,
                     RequiredString(r.json.as_object(), "new_version"));
    const RoomVersionRules* rules = FindRoomVersion(version);
    if (rules == nullptr) {
      return MatrixError(400, errcode::kUnsupportedRoomVersion,
                         "This server does not support that room version");
    }
    Upgrade upgrade(context, r.principal.user_id, std::string(r.Param("roomId")));
    ASSIGN_OR_RETURN(std::string room, upgrade.Run(*rules, r.json.as_object()));
    return Response::Json(boost::json::serialize(
        boost::json::object{{"replacement_room", room}}));
  };
  return table->AddUnder(http::ClientPrefixes(), std::move(route));
}

}  // namespace myelin::rooms
