#include "storage/events/event_codec.h"

#include "storage/events/events.capnp.h"
#include "storage/state/capnp_bytes.h"

namespace myelin::storage {
namespace {

template <typename List>
void SetTexts(List list, const std::vector<std::string>& texts) {
  for (size_t i = 0; i < texts.size(); ++i) list.set(i, texts[i]);
}

template <typename List>
std::vector<std::string> GetTexts(List list) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (auto text : list) out.emplace_back(text.cStr(), text.size());
  return out;
}

}  // namespace

std::string EncodeEventMeta(const EventMeta& meta) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::EventMetaRecord>();
  root.setEventId(meta.event_id);
  root.setRoomNid(meta.room_nid);
  root.setStream(meta.stream);
  root.setDepth(meta.depth);
  root.setOriginServerTs(meta.origin_server_ts);
  root.setType(meta.type);
  root.setStateKeyNid(meta.state_key_nid);
  root.setSenderNid(meta.sender_nid);
  root.setMembership(static_cast<uint8_t>(meta.membership));
  SetTexts(root.initPrevEvents(meta.prev_events.size()), meta.prev_events);
  SetTexts(root.initAuthEvents(meta.auth_events.size()), meta.auth_events);
  root.setOutlier(meta.outlier);
  root.setRejected(meta.rejected);
  root.setRejectionReason(meta.rejection_reason);
  root.setStateBefore(meta.state_before);
  root.setStateAfter(meta.state_after);
  root.setHasStateKey(meta.state_key.has_value());
  if (meta.state_key) root.setStateKey(*meta.state_key);
  return CapnpToBytes(message);
}

absl::StatusOr<EventMeta> DecodeEventMeta(std::string_view bytes) {
  return ReadCapnp<schema::EventMetaRecord>(
      bytes, "event meta", [](schema::EventMetaRecord::Reader r) {
        EventMeta meta;
        meta.event_id = r.getEventId().cStr();
        meta.room_nid = r.getRoomNid();
        meta.stream = r.getStream();
        meta.depth = r.getDepth();
        meta.origin_server_ts = r.getOriginServerTs();
        auto type = r.getType();
        meta.type = std::string(type.cStr(), type.size());
        meta.state_key_nid = r.getStateKeyNid();
        meta.sender_nid = r.getSenderNid();
        meta.membership = static_cast<Membership>(r.getMembership());
        meta.prev_events = GetTexts(r.getPrevEvents());
        meta.auth_events = GetTexts(r.getAuthEvents());
        meta.outlier = r.getOutlier();
        meta.rejected = r.getRejected();
        meta.rejection_reason = r.getRejectionReason().cStr();
        meta.state_before = r.getStateBefore();
        meta.state_after = r.getStateAfter();
        if (r.getHasStateKey()) {
          auto key = r.getStateKey();
          meta.state_key = std::string(key.cStr(), key.size());
        }
        return meta;
      });
}

std::string EncodeRoomRecord(const RoomInfo& room) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::RoomRecord>();
  root.setRoomId(room.room_id);
  root.setRoomVersion(room.room_version);
  return CapnpToBytes(message);
}

absl::StatusOr<RoomInfo> DecodeRoomRecord(std::string_view bytes) {
  return ReadCapnp<schema::RoomRecord>(
      bytes, "room record", [](schema::RoomRecord::Reader r) {
        RoomInfo room;
        room.room_id = r.getRoomId().cStr();
        room.room_version = r.getRoomVersion().cStr();
        return room;
      });
}

}  // namespace myelin::storage
