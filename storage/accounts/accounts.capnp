# Values of the account families (storage/FORMAT.md, "Accounts"). Cap'n
# Proto evolution rules apply: add fields with the next ordinal, never
# renumber, retype or reuse one.
@0xa23efc6bec66a298;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("myelin::storage::schema");

# `localpart_account`.
struct Account {
  # argon2id in libsodium's crypto_pwhash_str form; empty: no password login.
  passwordHash @0 :Text;
  createdAtMs @1 :Int64;
  deactivated @2 :Bool;
  admin @3 :Bool;
  # "" for a regular user, else e.g. "bot" (Synapse's user_type).
  userType @4 :Text;
}

# `userid_devices`.
struct Device {
  displayName @0 :Text;
  createdAtMs @1 :Int64;
  lastSeenMs @2 :Int64;
  lastSeenIp @3 :Text;
  # SHA-256 of the device's current access and refresh tokens: the keys of
  # its `tokenhash_session` rows, deleted with the device.
  accessTokenHash @4 :Data;
  refreshTokenHash @5 :Data;
  # The refresh token that was just exchanged by POST /refresh: still
  # accepted until the new tokens are used (Spec: "Refreshing access
  # tokens"), so a client that lost the response can repeat the refresh.
  previousRefreshTokenHash @6 :Data;
}

# `tokenhash_session`: what an access or refresh token stands for.
struct Session {
  userId @0 :Text;
  deviceId @1 :Text;
  # Access tokens: expiry in ms since the epoch, 0 = never.
  expiresAtMs @2 :Int64;
  kind @3 :Kind;
  enum Kind {
    access @0;
    refresh @1;
  }
  # Access tokens issued by a refresh: the hash of the refresh token to
  # revoke on this token's first use.
  revokesOnUse @4 :Data;
}
