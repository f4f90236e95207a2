"""End-to-end encryption test: real Olm/Megolm through matrix-nio and
python3-olm against a real myelin binary.

Usage: /usr/bin/python3 tests/e2e/nio_e2ee_test.py PATH_TO_MYELIN

1. Alice and Bob register with encryption on (each nio client uploads its
   device keys and one-time keys). Alice creates an encrypted room
   (m.room.encryption, m.megolm.v1.aes-sha2) and invites Bob, who joins.
2. Alice sends a message: nio queries Bob's device keys, claims a one-time
   key, sends the Megolm room key over an Olm to-device message and
   encrypts the event. Bob's sync decrypts it.
3. Bob logs in on a second device. Alice learns of it through
   device_lists.changed in her sync, queries the keys again and shares a new
   room key with both of Bob's devices; the second device decrypts the next
   message.
4. Key backup round trip: Bob creates a backup version whose auth_data holds
   a Curve25519 public key (m.megolm_backup.v1.curve25519-aes-sha2),
   encrypts his Megolm session with it (olm's PkEncryption) and uploads it.
   A third device of Bob's, which Alice never shared keys with, downloads the
   backup, decrypts the session (PkDecryption), imports it, and then
   decrypts the first message from the room's history.

Every wait is bounded; the whole run is bounded by TOTAL_TIMEOUT_S.
"""

import json
import os
import sys
import tempfile
import time
import urllib.parse

TOTAL_TIMEOUT_S = 150
WAIT_S = 20
SYNC_TIMEOUT_MS = 1000
PASSWORD = "correct horse"
MEGOLM = "m.megolm.v1.aes-sha2"
BACKUP_ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2"

try:
    import nio
    import olm
    from nio.crypto.sessions import InboundGroupSession
except ImportError as error:  # A missing dependency is a failure, not a skip.
    sys.exit(
        f"FAIL: /usr/bin/python3 cannot import nio/olm ({error}). Install the "
        "Debian packages python3-matrix-nio and python3-olm "
        "(tools/setup/deps.sh does it)."
    )

from e2e_server import check, ok, run


def new_client(url, username, store_dir, device_id=None):
    config = nio.AsyncClientConfig(encryption_enabled=True,
                                   store_sync_tokens=False)
    return nio.AsyncClient(url, username, device_id=device_id,
                           store_path=store_dir, config=config)


async def register(url, username, store_dir):
    client = new_client(url, username, store_dir)
    ok(await client.register(username, PASSWORD), nio.RegisterResponse)
    client.load_store()
    return client


async def login(url, username, store_dir):
    client = new_client(url, username, store_dir)
    ok(await client.login(PASSWORD, device_name=f"{username} again"),
       nio.LoginResponse)
    return client


async def sync_once(client):
    """One sync plus the key work nio's sync_forever does after it."""
    response = ok(await client.sync(timeout=SYNC_TIMEOUT_MS),
                  nio.SyncResponse)
    if client.should_upload_keys:
        ok(await client.keys_upload(), nio.KeysUploadResponse)
    if client.should_query_keys:
        ok(await client.keys_query(), nio.KeysQueryResponse)
    if client.should_claim_keys:
        ok(await client.keys_claim(client.get_users_for_key_claiming()),
           nio.KeysClaimResponse)
    await client.send_to_device_messages()
    return response


async def sync_until(client, found, what):
    """Syncs until found(client) is truthy; returns its value."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        await sync_once(client)
        value = found(client)
        if value:
            return value
    raise AssertionError(f"{client.user_id}/{client.device_id}: no {what} "
                         f"within {WAIT_S} s")


class Inbox:
    """Decrypted text messages a client's syncs delivered."""

    def __init__(self, client):
        self.bodies = []
        self.undecryptable = 0
        client.add_event_callback(self._on_text, nio.RoomMessageText)
        client.add_event_callback(self._on_megolm, nio.MegolmEvent)

    async def _on_text(self, room, event):
        self.bodies.append(event.body)

    async def _on_megolm(self, room, event):
        self.undecryptable += 1


async def send_encrypted(client, room_id, body):
    sent = ok(await client.room_send(
        room_id, "m.room.message", {"msgtype": "m.text", "body": body},
        ignore_unverified_devices=True), nio.RoomSendResponse)
    return sent.event_id


async def scenario(url):
    with tempfile.TemporaryDirectory() as stores:
        def store(name):
            path = os.path.join(stores, name)
            os.makedirs(path)
            return path

        alice = await register(url, "alice", store("alice"))
        bob = await register(url, "bob", store("bob"))
        clients = [alice, bob]
        try:
            await converse(url, alice, bob, clients, store)
        finally:
            for client in clients:
                await client.close()


async def converse(url, alice, bob, clients, store):
    # 1. Keys uploaded, an encrypted room.
    await sync_once(alice)
    await sync_once(bob)
    check(not alice.should_upload_keys and not bob.should_upload_keys,
          "device keys were not uploaded")
    created = ok(await alice.room_create(
        name="secret", invite=[bob.user_id],
        initial_state=[{"type": "m.room.encryption", "state_key": "",
                        "content": {"algorithm": MEGOLM}}]),
        nio.RoomCreateResponse)
    room_id = created.room_id
    await sync_until(bob, lambda c: room_id in c.invited_rooms, "invite")
    ok(await bob.join(room_id), nio.JoinResponse)
    await sync_until(alice, lambda c: room_id in c.rooms and
                     bob.user_id in c.rooms[room_id].users, "bob's join")
    check(alice.rooms[room_id].encrypted, "room is not encrypted for alice")

    # 2. Alice -> Bob, through Olm and Megolm.
    bob_inbox = Inbox(bob)
    first = await send_encrypted(alice, room_id, "the eagle lands at dawn")
    await sync_until(bob, lambda c: "the eagle lands at dawn" in
                     bob_inbox.bodies, "decrypted first message")
    check(bob_inbox.undecryptable == 0, "bob saw undecryptable events")

    # 3. Bob's second device gets the next message.
    bob2 = await login(url, "bob", store("bob2"))
    clients.append(bob2)
    check(bob2.device_id != bob.device_id, "second login reused the device")
    await sync_once(bob2)
    check(not bob2.should_upload_keys, "bob2 did not upload keys")
    await sync_until(alice, lambda c: bob2.device_id in
                     c.device_store[bob.user_id], "bob's second device")
    # The room key Alice shared before does not cover the new device: start
    # a new Megolm session, as clients do when a member's devices change.
    alice.invalidate_outbound_session(room_id)
    bob2_inbox = Inbox(bob2)
    await send_encrypted(alice, room_id, "bring the blue folder")
    await sync_until(bob2, lambda c: "bring the blue folder" in
                     bob2_inbox.bodies, "decrypted message on device 2")
    await sync_until(bob, lambda c: "bring the blue folder" in
                     bob_inbox.bodies, "decrypted message on device 1")

    # 4. Key backup of the first session, restored on a third device.
    await backup_round_trip(url, bob, room_id, first, clients, store)


def quote(path_part):
    """Session ids are base64 and may hold '/' and '+'."""
    return urllib.parse.quote(path_part, safe="")


async def raw(client, method, path, body=None):
    """A Client-Server call with the client's token; returns (status, json)."""
    response = await client.send(
        method, f"/_matrix/client/v3{path}",
        json.dumps(body) if body is not None else None,
        headers={"Authorization": f"Bearer {client.access_token}",
                 "Content-Type": "application/json"})
    return response.status, await response.json()


async def backup_round_trip(url, bob, room_id, first_event_id, clients, store):
    backup_key = olm.pk.PkDecryption()
    status, created = await raw(bob, "POST", "/room_keys/version", {
        "algorithm": BACKUP_ALGORITHM,
        "auth_data": {"public_key": backup_key.public_key}})
    check(status == 200, f"create backup version: {status} {created}")
    version = created["version"]

    sessions = [s for s in bob.olm.inbound_group_store
                if s.room_id == room_id]
    check(sessions, "bob has no inbound session for the room")
    encryption = olm.pk.PkEncryption(backup_key.public_key)
    for uploaded, session in enumerate(sessions, start=1):
        exported = session.export_session(session.first_known_index)
        plaintext = json.dumps({
            "algorithm": MEGOLM, "sender_key": session.sender_key,
            "sender_claimed_keys": {"ed25519": session.ed25519},
            "forwarding_curve25519_key_chain": session.forwarding_chain,
            "session_key": exported})
        message = encryption.encrypt(plaintext)
        status, body = await raw(
            bob, "PUT",
            f"/room_keys/keys/{quote(room_id)}/{quote(session.id)}"
            f"?version={version}",
            {"first_message_index": session.first_known_index,
             "forwarded_count": 0, "is_verified": False,
             "session_data": {"ephemeral": message.ephemeral_key,
                              "ciphertext": message.ciphertext,
                              "mac": message.mac}})
        check(status == 200 and body.get("count") == uploaded,
              f"upload session: {status} {body}")

    bob3 = await login(url, "bob", store("bob3"))
    clients.append(bob3)
    await sync_once(bob3)
    # Alice never shared the room key with this device: it cannot read the
    # first message until it restores the backup.
    encrypted = ok(await bob3.room_get_event(room_id, first_event_id),
                   nio.RoomGetEventResponse).event
    check(isinstance(encrypted, nio.MegolmEvent),
          f"device 3 could read the message before the restore: {encrypted!r}")
    status, backup = await raw(bob3, "GET", f"/room_keys/keys?version={version}")
    check(status == 200, f"download backup: {status} {backup}")
    restored = backup["rooms"][room_id]["sessions"]
    check(len(restored) == len(sessions), f"backup holds {restored.keys()}")
    for session_id, entry in restored.items():
        data = entry["session_data"]
        plaintext = backup_key.decrypt(olm.pk.PkMessage(
            data["ephemeral"], data["mac"], data["ciphertext"]))
        key = json.loads(plaintext)
        session = InboundGroupSession.import_session(
            key["session_key"], key["sender_claimed_keys"]["ed25519"],
            key["sender_key"], room_id, key["forwarding_curve25519_key_chain"])
        check(session.id == session_id, "restored a different session")
        bob3.olm.inbound_group_store.add(session)

    decrypted = bob3.decrypt_event(encrypted)
    check(isinstance(decrypted, nio.RoomMessageText) and
          decrypted.body == "the eagle lands at dawn",
          f"restored key does not decrypt: {decrypted!r}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: nio_e2ee_test.py PATH_TO_MYELIN")
    run(sys.argv[1], scenario, TOTAL_TIMEOUT_S)


if __name__ == "__main__":
    main()
