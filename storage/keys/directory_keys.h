// Keys of the room directory families (storage/FORMAT.md, "Room directory").
#ifndef MYELIN_STORAGE_KEYS_DIRECTORY_KEYS_H_
#define MYELIN_STORAGE_KEYS_DIRECTORY_KEYS_H_

#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// `alias_roomid`: the full room alias ("#name:server").
using AliasKey = Key<std::string>;
// `alias_roomid` value: (room id, user id of the alias's creator), in the
// key encoding.
using AliasValue = Key<std::string, std::string>;
// `roomid_aliases`: (room id, alias). A prefix scan on the room id lists
// the room's local aliases in byte order.
using RoomAliasKey = Key<std::string, std::string>;
// `roomid_published`: a room id; present while the room is published in
// the room directory.
using PublishedRoomKey = Key<std::string>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_DIRECTORY_KEYS_H_
