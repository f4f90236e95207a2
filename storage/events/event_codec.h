// Encoding of the event-store values (events.capnp). Decoders return
// DataLoss for bytes that are not a valid record.
#ifndef MYELIN_STORAGE_EVENTS_EVENT_CODEC_H_
#define MYELIN_STORAGE_EVENTS_EVENT_CODEC_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/events/types.h"

namespace myelin::storage {

std::string EncodeEventMeta(const EventMeta& meta);
// event_nid is not part of the value; the caller sets it from the key.
absl::StatusOr<EventMeta> DecodeEventMeta(std::string_view bytes);

std::string EncodeRoomRecord(const RoomInfo& room);
// room_nid is not part of the value; the caller sets it from the key.
absl::StatusOr<RoomInfo> DecodeRoomRecord(std::string_view bytes);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_EVENT_CODEC_H_
