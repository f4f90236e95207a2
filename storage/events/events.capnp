# Values of the event-store families (storage/FORMAT.md, "Events"). Cap'n
# Proto evolution rules apply: add fields with the next ordinal, never
# renumber, retype or reuse one.
@0xc4c25fd2dbd124c8;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("myelin::storage::schema");

# `roomnid_room`: written once, when the room's first event is stored.
struct RoomRecord {
  roomId @0 :Text;
  # The room version id ("1" .. "12").
  roomVersion @1 :Text;
}

# `eventnid_eventmeta`: everything about an event besides its JSON.
struct EventMetaRecord {
  eventId @0 :Text;
  roomNid @1 :UInt64;
  # Stream position; 0 for outliers and rejected events.
  stream @2 :UInt64;
  depth @3 :Int64;
  originServerTs @4 :Int64;
  type @5 :Text;
  # 0 unless a state event.
  stateKeyNid @6 :UInt64;
  senderNid @7 :UInt64;
  # storage::Membership of an m.room.member event; 0 otherwise.
  membership @8 :UInt8;
  prevEvents @9 :List(Text);
  authEvents @10 :List(Text);
  outlier @11 :Bool;
  rejected @12 :Bool;
  rejectionReason @13 :Text;
  # Snapshot nids; 0 for outliers.
  stateBefore @14 :UInt64;
  stateAfter @15 :UInt64;
  # The state_key string (also reachable through stateKeyNid), so a reader
  # of one event needs one Get.
  stateKey @16 :Text;
  hasStateKey @17 :Bool;
}
