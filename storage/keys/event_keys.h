// Keys of the event-store and room-state families (storage/FORMAT.md,
// "Events" and "Room state"). Numeric ids are u64, big-endian, so nid and
// stream order is byte order; 0 is never a valid nid.
#ifndef MYELIN_STORAGE_KEYS_EVENT_KEYS_H_
#define MYELIN_STORAGE_KEYS_EVENT_KEYS_H_

#include <cstdint>
#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// A single nid: `roomnid_room`, `eventnid_eventjson`, `eventnid_eventmeta`,
// `usernid_userid`, `statekeynid_statekey`, `snapshotnid_snapshot`,
// `roomnid_currentsnapshot`, and `stream_eventnid` (a stream position).
using NidKey = Key<uint64_t>;
// A string id: `roomid_roomnid`, `eventid_eventnid`, `userid_usernid`.
using IdKey = Key<std::string>;
// `statekey_statekeynid`: (event type, state_key).
using StateKeyKey = Key<std::string, std::string>;
// `eventid_childnid`: (prev event id, nid of an event listing it in
// prev_events). A prefix scan on the id finds the children of an event
// that may not be stored itself.
using ChildKey = Key<std::string, uint64_t>;
// `roomstream_eventnid`: (room nid, stream position).
using RoomStreamKey = Key<uint64_t, uint64_t>;
// `roomtopo_eventnid`: (room nid, depth, stream position). Depth is signed
// in PDUs; i64 keeps a (bogus) negative depth sorting first.
using RoomTopoKey = Key<uint64_t, int64_t, uint64_t>;
// `roomnid_extremities`: (room nid, event nid).
using ExtremityKey = Key<uint64_t, uint64_t>;
// `roomnid_currentstate`: (room nid, state-key nid).
using CurrentStateKey = Key<uint64_t, uint64_t>;
// `roomnid_members`: (room nid, membership, user nid). Membership before
// the user so one membership is one prefix scan.
using RoomMemberKey = Key<uint64_t, uint8_t, uint64_t>;
// `usernid_rooms`: (user nid, membership, room nid).
using UserRoomKey = Key<uint64_t, uint8_t, uint64_t>;

// Values that are one or two integers use the key encoding.
using U64PairValue = Key<uint64_t, uint64_t>;
// `statekeynid_statekey` value: (event type, state_key), like its key.
using StateKeyValue = StateKeyKey;

// `txnid_eventid`: (user id, device id, transaction id) of a client send.
using TxnKey = Key<std::string, std::string, std::string>;
// `eventnid_txnid` value: (device id, transaction id).
using TxnValue = Key<std::string, std::string>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_EVENT_KEYS_H_
