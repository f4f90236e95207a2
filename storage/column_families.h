// The column-family registry: every column family Myelin stores, in one
// table, with its key layout, value layout and tuning preset. storage/FORMAT.md
// describes each one in prose; keep the two in step.
//
// To add a column family: add an enumerator to Cf (before kCount), a row to
// kColumnFamilies at the same index, and a section to FORMAT.md. Opening an
// existing database creates the new family. Never rename one: the name is
// what RocksDB stores.
#ifndef MYELIN_STORAGE_COLUMN_FAMILIES_H_
#define MYELIN_STORAGE_COLUMN_FAMILIES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace myelin::storage {

// How a column family is tuned (storage/tuning.cc). In memory only: a
// family's preset may change between releases without a migration.
enum class Preset : uint8_t {
  // A handful of rows read at start-up: small memtable, no filter.
  kSmall,
  // Get() by exact key: bloom filter, small blocks.
  kPointLookup,
  // Range scans over key prefixes: larger blocks, no whole-key filter.
  kPrefixScan,
  // Large values (media chunks): values >= 4 KiB go to blob files, so
  // compaction does not rewrite them.
  kBlob,
};

std::string_view PresetName(Preset preset);

// Index into kColumnFamilies. In memory only; the name is what reaches disk.
enum class Cf : uint8_t {
  kMeta = 0,
  // Accounts (storage/accounts).
  kLocalpartAccount,
  kUseridDevices,
  kTokenhashSession,
  kUseridProfile,
  kRegtokenUses,
  // Events and room state (storage/events, storage/state).
  kRoomidRoomnid,
  kRoomnidRoom,
  kEventidEventnid,
  kEventnidEventjson,
  kEventnidEventmeta,
  kEventidChildnid,
  kUseridUsernid,
  kUsernidUserid,
  kStatekeyStatekeynid,
  kStatekeynidStatekey,
  kStreamEventnid,
  kRoomstreamEventnid,
  kRoomtopoEventnid,
  kRoomnidExtremities,
  kSnapshotnidSnapshot,
  kRoomnidCurrentstate,
  kRoomnidCurrentsnapshot,
  kRoomnidMembers,
  kUsernidRooms,
  // Room aliases and the published room directory (storage/directory).
  kAliasRoomid,
  kRoomidAliases,
  kRoomidPublished,
  // Relations, threads and redactions (storage/relations).
  kEventidRelations,
  kEventidRedaction,
  kRoomnidThreads,
  kEventidHaschildren,
  kUseridForgotten,
  kUseridFilters,
  kUseridAccountdata,
  kUseridAccountdatastream,
  kRoomidReceipts,
  kRoomidReceiptstream,
  kTxnidEventid,
  kEventnidTxnid,
  kDeviceInbox,
  kTodeviceTxn,
  // Server-side key backups (storage/backup).
  kUseridBackupversion,
  kBackupsessionRoomkey,
  // End-to-end encryption keys and the device-list stream (storage/e2ee).
  kUserdeviceDevicekeys,
  kUserdeviceOnetimekeys,
  kUserdeviceFallbackkeys,
  kUseridCrosssigningkeys,
  kKeyidSignatures,
  kUseridDevicelistpos,
  kDevicelistposUserid,
  // The media repository (storage/media).
  kMediaBlob,
  kMediaidInfo,
  kSha256Blob,
  kMediaidPending,
  kMediaidThumbnail,
  kUseridMedia,
  kMediablobWriting,
  kCount,
};

struct ColumnFamilySpec {
  Cf id;
  std::string_view name;          // RocksDB's name; reaches disk.
  std::string_view key_layout;    // codec parts, as Key<...>::Layout() prints
  std::string_view value_layout;  // prose; FORMAT.md has the details
  Preset preset;
};

inline constexpr size_t kNumColumnFamilies = static_cast<size_t>(Cf::kCount);

inline constexpr std::array<ColumnFamilySpec, kNumColumnFamilies>
    kColumnFamilies = {{
        {Cf::kMeta, "meta", "u8 (keys::MetaRow)",
         "per row: u64 schema version | capnp DatabaseInfo", Preset::kSmall},
        // Accounts (storage/accounts).
        {Cf::kLocalpartAccount, "localpart_account", "str",
         "capnp Account", Preset::kPointLookup},
        {Cf::kUseridDevices, "userid_devices", "str.str",
         "capnp Device", Preset::kPrefixScan},
        {Cf::kTokenhashSession, "tokenhash_session", "str",
         "capnp Session", Preset::kPointLookup},
        {Cf::kUseridProfile, "userid_profile", "str",
         "JSON object {displayname, avatar_url}", Preset::kPointLookup},
        {Cf::kRegtokenUses, "regtoken_uses", "str", "u64 completed uses",
         Preset::kSmall},
        // Events and room state (storage/events, storage/state).
        {Cf::kRoomidRoomnid, "roomid_roomnid", "str", "u64 room nid",
         Preset::kPointLookup},
        {Cf::kRoomnidRoom, "roomnid_room", "u64", "capnp RoomRecord",
         Preset::kPointLookup},
        {Cf::kEventidEventnid, "eventid_eventnid", "str", "u64 event nid",
         Preset::kPointLookup},
        {Cf::kEventnidEventjson, "eventnid_eventjson", "u64",
         "canonical event JSON", Preset::kPointLookup},
        {Cf::kEventnidEventmeta, "eventnid_eventmeta", "u64",
         "capnp EventMetaRecord", Preset::kPointLookup},
        {Cf::kEventidChildnid, "eventid_childnid", "str.u64", "empty",
         Preset::kPrefixScan},
        {Cf::kUseridUsernid, "userid_usernid", "str", "u64 user nid",
         Preset::kPointLookup},
        {Cf::kUsernidUserid, "usernid_userid", "u64", "user id",
         Preset::kPointLookup},
        {Cf::kStatekeyStatekeynid, "statekey_statekeynid", "str.str",
         "u64 state-key nid", Preset::kPointLookup},
        {Cf::kStatekeynidStatekey, "statekeynid_statekey", "u64",
         "str.str (type, state_key)", Preset::kPointLookup},
        {Cf::kStreamEventnid, "stream_eventnid", "u64", "u64.u64 room, event",
         Preset::kPrefixScan},
        {Cf::kRoomstreamEventnid, "roomstream_eventnid", "u64.u64",
         "u64 event nid", Preset::kPrefixScan},
        {Cf::kRoomtopoEventnid, "roomtopo_eventnid", "u64.i64.u64",
         "u64 event nid", Preset::kPrefixScan},
        {Cf::kRoomnidExtremities, "roomnid_extremities", "u64.u64", "empty",
         Preset::kPrefixScan},
        {Cf::kSnapshotnidSnapshot, "snapshotnid_snapshot", "u64",
         "capnp SnapshotRecord", Preset::kPointLookup},
        {Cf::kRoomnidCurrentstate, "roomnid_currentstate", "u64.u64",
         "u64 event nid", Preset::kPrefixScan},
        {Cf::kRoomnidCurrentsnapshot, "roomnid_currentsnapshot", "u64",
         "u64 snapshot nid", Preset::kPointLookup},
        {Cf::kRoomnidMembers, "roomnid_members", "u64.u8.u64",
         "u64 member event nid", Preset::kPrefixScan},
        {Cf::kUsernidRooms, "usernid_rooms", "u64.u8.u64",
         "u64 member event nid", Preset::kPrefixScan},
        // Room aliases and the published room directory (storage/directory).
        {Cf::kAliasRoomid, "alias_roomid", "str",
         "str.str (room id, creator)", Preset::kPointLookup},
        {Cf::kRoomidAliases, "roomid_aliases", "str.str", "empty",
         Preset::kPrefixScan},
        {Cf::kRoomidPublished, "roomid_published", "str", "empty",
         Preset::kPrefixScan},
        // Relations, threads and redactions (storage/relations).
        {Cf::kEventidRelations, "eventid_relations", "u64.str.str.u64",
         "u64.u64 child event nid, child sender nid", Preset::kPrefixScan},
        {Cf::kEventidRedaction, "eventid_redaction", "u64.str",
         "u64 redaction event nid", Preset::kPointLookup},
        {Cf::kRoomnidThreads, "roomnid_threads", "u64.u64.str", "empty",
         Preset::kPrefixScan},
        {Cf::kEventidHaschildren, "eventid_haschildren", "u64.str", "empty",
         Preset::kPointLookup},
        // Rooms a user forgot (storage/membership).
        {Cf::kUseridForgotten, "userid_forgotten", "str.u64",
         "u64 member event nid when forgotten", Preset::kPrefixScan},
        // Filters users uploaded for /sync (storage/filters).
        {Cf::kUseridFilters, "userid_filters", "str.u64",
         "filter JSON as uploaded (canonical)", Preset::kPrefixScan},
        // Account data and room tags (storage/accountdata).
        {Cf::kUseridAccountdata, "userid_accountdata",
         "str.str (user id, item: str.str room id or empty, type)",
         "u64 stream position, then the content as canonical JSON",
         Preset::kPointLookup},
        {Cf::kUseridAccountdatastream, "userid_accountdatastream", "str.u64",
         "item (str.str room id or empty, type)", Preset::kPrefixScan},
        // Read receipts (storage/receipts), a streamed table by room.
        {Cf::kRoomidReceipts, "roomid_receipts",
         "str.str (room id, item: str.str.str type, user id, thread id)",
         "u64 stream position, then {event_id, ts} as canonical JSON",
         Preset::kPointLookup},
        {Cf::kRoomidReceiptstream, "roomid_receiptstream", "str.u64",
         "item (str.str.str type, user id, thread id)", Preset::kPrefixScan},
        // Client transaction ids of sent events, in the event's batch
        // (storage/events).
        {Cf::kTxnidEventid, "txnid_eventid", "str.str.str (user, device, txn)",
         "str event id", Preset::kPointLookup},
        {Cf::kEventnidTxnid, "eventnid_txnid", "u64",
         "str.str (device id, txn id)", Preset::kPointLookup},
        // To-device messages waiting for their device (storage/todevice).
        {Cf::kDeviceInbox, "device_inbox", "str.str.u64 (user, device, stream)",
         "canonical JSON {sender, type, content}", Preset::kPrefixScan},
        {Cf::kTodeviceTxn, "todevice_txn", "str.str.str (sender, device, txn)",
         "empty", Preset::kPointLookup},
        // Server-side key backups (storage/backup). Few versions per user,
        // read by scanning back from the user's last key: prefix-scan.
        {Cf::kUseridBackupversion, "userid_backupversion",
         "str.u64 (user id, version)", "capnp BackupVersionRecord",
         Preset::kPrefixScan},
        // Uploads mostly Get() sessions not yet stored, so the bloom filter
        // pays; restores scan a whole version, which works without it.
        {Cf::kBackupsessionRoomkey, "backupsession_roomkey",
         "str.u64.str.str (user id, version, room id, session id)",
         "canonical JSON KeyBackupData", Preset::kPointLookup},
        // End-to-end encryption keys (storage/e2ee).
        {Cf::kUserdeviceDevicekeys, "userdevice_devicekeys",
         "str.str (user, device)", "device keys as canonical JSON",
         Preset::kPrefixScan},
        {Cf::kUserdeviceOnetimekeys, "userdevice_onetimekeys",
         "str.str.str.u64.str (user, device, algorithm, upload, key id)",
         "the key as canonical JSON", Preset::kPrefixScan},
        {Cf::kUserdeviceFallbackkeys, "userdevice_fallbackkeys",
         "str.str.str (user, device, algorithm)",
         "u8.str.str (used, key id, the key as canonical JSON)",
         Preset::kPrefixScan},
        {Cf::kUseridCrosssigningkeys, "userid_crosssigningkeys",
         "str.u8 (user, kind)", "the key as canonical JSON",
         Preset::kPointLookup},
        {Cf::kKeyidSignatures, "keyid_signatures",
         "str.str.str.str (user, key, signer, signer key id)",
         "unpadded Base64 signature", Preset::kPrefixScan},
        // The device-list stream, a streamed table with one scope ("").
        {Cf::kUseridDevicelistpos, "userid_devicelistpos",
         "str.str (scope \"\", user id)", "u64 stream position",
         Preset::kPointLookup},
        {Cf::kDevicelistposUserid, "devicelistpos_userid",
         "str.u64 (scope \"\", stream)", "user id", Preset::kPrefixScan},
        // The media repository (storage/media): content-addressed chunks
        // in blob files, and what points at them.
        {Cf::kMediaBlob, "media_blob", "u64.u64 (blob id, chunk index)",
         "content bytes, 1 MiB per chunk but the last", Preset::kBlob},
        {Cf::kMediaidInfo, "mediaid_info", "str.str (server, media id)",
         "capnp MediaRecord", Preset::kPointLookup},
        {Cf::kSha256Blob, "sha256_blob", "str (hex SHA-256 of the content)",
         "u64.u64 (blob id, reference count)", Preset::kPointLookup},
        {Cf::kMediaidPending, "mediaid_pending", "str.str (server, media id)",
         "str.i64 (uploader, expires ms)", Preset::kPointLookup},
        // Thumbnails are a few KiB to a few hundred: blob files too.
        {Cf::kMediaidThumbnail, "mediaid_thumbnail",
         "str.str.u32.u32.str.u8 (server, media id, width, height, method, "
         "animated)",
         "str content type, then the bytes", Preset::kBlob},
        {Cf::kUseridMedia, "userid_media", "str.str.str (user, server, media id)",
         "empty", Preset::kPrefixScan},
        {Cf::kMediablobWriting, "mediablob_writing", "u64 (blob id)", "empty",
         Preset::kSmall},
    }};

const ColumnFamilySpec& SpecOf(Cf cf);

// The registry row named `name`, or nullopt for a name Myelin does not know
// (RocksDB's "default", or a family written by a newer release).
std::optional<Cf> FindColumnFamily(std::string_view name);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_COLUMN_FAMILIES_H_
