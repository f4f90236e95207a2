# The `meta` row MetaRow::kDatabaseInfo: written once, when the database is
# created. Cap'n Proto evolution rules apply: add fields with the next
# ordinal, never renumber, retype or reuse one (storage/FORMAT.md).
@0xc0a6ffc083f16853;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("myelin::storage::schema");

struct DatabaseInfo {
  # The Matrix server_name the database belongs to. User ids, room aliases
  # and signatures embed it, so a database cannot serve another name.
  serverName @0 :Text;
  # Creation time, milliseconds since the Unix epoch.
  createdAtMs @1 :Int64;
  # The schema version the database was created at.
  createdSchemaVersion @2 :UInt64;
  # The software that created it, e.g. "myelin 0.1.0".
  createdBy @3 :Text;
}
