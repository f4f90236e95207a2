# Values of the media families (storage/FORMAT.md, "Media").
# Cap'n Proto evolution rules apply: add fields with the next ordinal, never
# renumber, retype or reuse one.
@0xef6ec106300d805e;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("myelin::storage::schema");

# `mediaid_info`: one media id that has content.
struct MediaRecord {
  contentType @0 :Text;   # As uploaded; empty if none.
  filename @1 :Text;      # As uploaded; empty if none.
  size @2 :UInt64;        # Bytes of content.
  sha256 @3 :Text;        # Lowercase hex; the key of its `sha256_blob` row.
  createdMs @4 :Int64;
  uploader @5 :Text;      # User id; empty for remote media.
  quarantined @6 :Bool;
  blobId @7 :UInt64;      # The chunks, in `media_blob`.
}
