# Values of the key backup families (storage/FORMAT.md, "Key backups").
# Cap'n Proto evolution rules apply: add fields with the next ordinal, never
# renumber, retype or reuse one.
@0x9235ccc81b950b79;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("myelin::storage::schema");

# `userid_backupversion`: one backup version of a user.
struct BackupVersionRecord {
  # As the client created it ("m.megolm_backup.v1.curve25519-aes-sha2").
  algorithm @0 :Text;
  # The algorithm's auth_data object, as canonical JSON.
  authData @1 :Text;
  # Bumped in the batch of every change to the version's keys.
  etag @2 :UInt64;
  # Keys stored in the version, kept in the batch of every change.
  count @3 :UInt64;
  # Deleted versions keep their row (without keys or auth data) so their
  # number is never handed out again and a repeated DELETE succeeds.
  deleted @4 :Bool;
}
