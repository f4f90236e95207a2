// Keys of per-user families (storage/FORMAT.md, "Forgotten rooms" and
// "Filters", "Account data").
#ifndef MYELIN_STORAGE_KEYS_MEMBERSHIP_KEYS_H_
#define MYELIN_STORAGE_KEYS_MEMBERSHIP_KEYS_H_

#include <cstdint>
#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// `userid_forgotten`: (user id, room nid). A prefix scan on the user id
// lists the rooms the user forgot.
using ForgottenKey = Key<std::string, uint64_t>;
// Its value: the nid of the user's member event when they forgot the room.
using ForgottenValue = Key<uint64_t>;

// `userid_filters`: (user id, filter id). Filter ids count up from 0 per
// user; the last key of a user's prefix is their newest filter.
using FilterKey = Key<std::string, uint64_t>;

// The item of an account-data entry in its StreamedTable (scope: user id):
// (room id or "" for global, type).
using AccountDataItem = Key<std::string, std::string>;

// The item of a receipt in its StreamedTable (scope: room id): (receipt
// type, user id, thread id or "" for unthreaded).
using ReceiptItem = Key<std::string, std::string, std::string>;

// `device_inbox`: (recipient user id, device id, to-device stream position).
using InboxKey = Key<std::string, std::string, uint64_t>;
// `todevice_txn`: (sender user id, sender device id, transaction id).
using ToDeviceTxnKey = Key<std::string, std::string, std::string>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_MEMBERSHIP_KEYS_H_
