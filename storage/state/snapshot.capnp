# `snapshotnid_snapshot` values (storage/FORMAT.md, "Room state"). Cap'n
# Proto evolution rules apply: add fields with the next ordinal, never
# renumber, retype or reuse one.
@0xe41585c13876bf03;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("myelin::storage::schema");

# A room state: either full (parent = 0) or a delta against its parent.
struct SnapshotRecord {
  roomNid @0 :UInt64;
  # 0: this record lists the whole state.
  parent @1 :UInt64;
  # Deltas between this record and the nearest full one, this one included;
  # 0 for a full snapshot.
  chainDepth @2 :UInt32;
  # Delta entries summed over that chain, this one included.
  chainEntries @3 :UInt64;
  # Entries of the materialised state.
  size @4 :UInt64;
  # Parallel lists sorted by stateKeyNids. An eventNid of 0 in a delta
  # removes the key.
  stateKeyNids @5 :List(UInt64);
  eventNids @6 :List(UInt64);
}
