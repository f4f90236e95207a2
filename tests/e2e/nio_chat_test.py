"""End-to-end test: drives a real myelin binary with matrix-nio.

Usage: /usr/bin/python3 tests/e2e/nio_chat_test.py PATH_TO_MYELIN

Two users register through nio (user-interactive auth, m.login.dummy), one
creates a room and invites the other, who joins; they exchange messages, one
is edited (m.replace) and one redacted, and the history is paged back with
/messages until there is no `end`. Sends go straight out (encryption off);
history is read through room_messages and room_get_event. The redacted event
must come back stripped (with redacted_because) and the edited one with its
m.replace bundled.

Alice uploads a PNG, sends it as an m.image message; Bob downloads it and a
thumbnail of it through nio's media calls.

Then the second user follows the room with nio's own sync loop
(sync_forever, long-polling) and its callbacks: the initial sync brings the
room, its members and the earlier messages; then the first user's typing,
a new message, a read receipt and the end of the typing each arrive through
an incremental sync, every event exactly once. Each wait is bounded by
WAIT_S.

The server runs on 127.0.0.1 port 0 with a temporary data directory and is
always stopped (SIGTERM, then SIGKILL); the whole run is bounded by
TOTAL_TIMEOUT_S so it can never hang CI.
"""

import asyncio
import io
import struct
import sys
import time
import zlib

TOTAL_TIMEOUT_S = 120
WAIT_S = 20  # For each thing the sync loop should deliver.
SYNC_LONG_POLL_MS = 5000

try:
    import nio
except ImportError as error:  # A missing dependency is a failure, not a skip.
    sys.exit(
        f"FAIL: /usr/bin/python3 cannot import nio ({error}). Install the "
        "Debian package python3-matrix-nio (tools/setup/deps.sh does it)."
    )

from e2e_server import SERVER_NAME, check, ok, run


async def new_client(url, username):
    config = nio.AsyncClientConfig(encryption_enabled=False,
                                   store_sync_tokens=False)
    client = nio.AsyncClient(url, username, config=config)
    registered = ok(await client.register(username, "correct horse"),
                    nio.RegisterResponse)
    check(registered.user_id == f"@{username}:{SERVER_NAME}",
          f"user id {registered.user_id}")
    check(client.access_token, "register did not log the client in")
    return client


def redacts(redaction):
    """The redacted event's id: in content from room v11 on, top-level before.

    nio 0.20 only knows the top-level key, so it parses a v11 redaction that
    lacks it as a BadEvent; read the raw source instead."""
    return redaction.get("redacts") or redaction["content"].get("redacts")


async def send_text(client, room_id, body, extra=None):
    content = {"msgtype": "m.text", "body": body}
    content.update(extra or {})
    sent = ok(await client.room_send(room_id, "m.room.message", content),
              nio.RoomSendResponse)
    return sent.event_id


async def history(client, room_id, limit=3):
    """All events of the room, newest first, paging back until no `end`."""
    events, token, pages = [], "", 0
    while True:
        page = ok(await client.room_messages(
            room_id, token, direction=nio.MessageDirection.back, limit=limit),
            nio.RoomMessagesResponse)
        events.extend(page.chunk)
        pages += 1
        check(pages < 100, "pagination does not end")
        if not page.end:
            return events, pages
        check(page.end != token, "pagination token did not advance")
        token = page.end


def png_image(width, height):
    """A small RGB PNG (a gradient), written with the standard library."""
    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128))
                           for x in range(width))
        for y in range(height))

    def chunk(kind, data):
        body = kind + data
        return (struct.pack(">I", len(data)) + body +
                struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


async def share_image(alice, bob, room_id):
    """m.image: upload, message, download and thumbnail by the other user."""
    image = png_image(640, 480)
    uploaded, _ = await alice.upload(io.BytesIO(image), content_type="image/png",
                                     filename="gradient.png",
                                     filesize=len(image))
    uploaded = ok(uploaded, nio.UploadResponse)
    check(uploaded.content_uri.startswith(f"mxc://{SERVER_NAME}/"),
          f"content uri {uploaded.content_uri}")
    sent = ok(await alice.room_send(room_id, "m.room.message", {
        "msgtype": "m.image", "body": "gradient.png",
        "url": uploaded.content_uri,
        "info": {"mimetype": "image/png", "size": len(image), "w": 640,
                 "h": 480}}), nio.RoomSendResponse)
    event = ok(await bob.room_get_event(room_id, sent.event_id),
               nio.RoomGetEventResponse).event
    check(isinstance(event, nio.RoomMessageImage), f"not an image: {event!r}")
    server_name, media_id = event.url[len("mxc://"):].split("/", 1)
    downloaded = ok(await bob.download(server_name=server_name,
                                       media_id=media_id),
                    nio.DownloadResponse)
    check(downloaded.body == image, "downloaded bytes differ from the upload")
    check(downloaded.content_type == "image/png",
          f"content type {downloaded.content_type}")
    check(downloaded.filename == "gradient.png",
          f"file name {downloaded.filename}")
    thumbnail = ok(await bob.thumbnail(server_name, media_id, 96, 96,
                                       nio.ResizingMethod.crop),
                   nio.ThumbnailResponse)
    check(thumbnail.content_type == "image/png" and
          thumbnail.body.startswith(b"\x89PNG") and
          len(thumbnail.body) < len(image),
          f"thumbnail: {thumbnail.content_type}, {len(thumbnail.body)} bytes")


async def scenario(url):
    alice = await new_client(url, "alice")
    bob = await new_client(url, "bob")
    try:
        await converse(alice, bob)
    finally:
        await alice.close()
        await bob.close()


async def converse(alice, bob):
    created = ok(await alice.room_create(name="e2e", topic="nio talks",
                                         invite=[bob.user_id]),
                 nio.RoomCreateResponse)
    room_id = created.room_id
    ok(await bob.join(room_id), nio.JoinResponse)
    joined = ok(await bob.joined_rooms(), nio.JoinedRoomsResponse)
    check(room_id in joined.rooms, f"bob's rooms: {joined.rooms}")
    members = ok(await alice.joined_members(room_id),
                 nio.JoinedMembersResponse)
    check({m.user_id for m in members.members} == {alice.user_id, bob.user_id},
          f"members: {members.members}")

    hello = await send_text(alice, room_id, "hello bob")
    typo = await send_text(bob, room_id, "hi alcie")
    secret = await send_text(alice, room_id, "my password is hunter2")
    edit = await send_text(bob, room_id, "* hi alice", {
        "m.new_content": {"msgtype": "m.text", "body": "hi alice"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": typo},
    })
    redaction = ok(await alice.room_redact(room_id, secret, reason="oops"),
                   nio.RoomRedactResponse)
    bye = await send_text(bob, room_id, "bye")

    await check_events(alice, room_id, typo, edit, secret, redaction.event_id)
    await check_history(bob, room_id, alice, bob,
                        [hello, typo, secret, edit, redaction.event_id, bye])
    await share_image(alice, bob, room_id)
    await follow_with_sync_loop(alice, bob, room_id, hello, bye)


async def check_events(client, room_id, typo, edit, secret, redaction_id):
    got = ok(await client.room_get_event(room_id, edit),
             nio.RoomGetEventResponse).event
    relates = got.source["content"]["m.relates_to"]
    check(relates == {"rel_type": "m.replace", "event_id": typo},
          f"edit relation: {relates}")
    check(got.source["content"]["m.new_content"]["body"] == "hi alice",
          f"edit content: {got.source['content']}")

    got = ok(await client.room_get_event(room_id, redaction_id),
             nio.RoomGetEventResponse).event.source
    check(got["type"] == "m.room.redaction", f"redaction: {got}")
    check(redacts(got) == secret and got["content"]["reason"] == "oops",
          f"redaction: {got}")

    # Spec (client-server API, "Redactions"): a redacted event is served
    # with its content stripped and the redaction in redacted_because.
    redacted = ok(await client.room_get_event(room_id, secret),
                  nio.RoomGetEventResponse).event.source
    check(redacted["content"] == {}, f"redacted event: {redacted}")
    because = redacted["unsigned"].get("redacted_because", {})
    check(because.get("event_id") == redaction_id, f"redacted event: {redacted}")

    # Spec (v1.7+, "Event replacements"): the original keeps its content and
    # carries the edit in its bundled aggregations.
    original = ok(await client.room_get_event(room_id, typo),
                  nio.RoomGetEventResponse).event.source
    check(original["content"]["body"] == "hi alcie", f"original: {original}")
    replace = original["unsigned"].get("m.relations", {}).get("m.replace", {})
    check(replace.get("event_id") == edit, f"original: {original}")


async def check_history(reader, room_id, alice, bob, sent_ids):
    events, pages = await history(reader, room_id)
    check(pages >= 3, f"expected several pages, got {pages}")
    ids = [e.event_id for e in events]
    check(len(ids) == len(set(ids)), f"duplicate events in history: {ids}")
    # Room v11+ events that nio 0.20 cannot model (m.room.create without
    # `creator`, redactions without top-level `redacts`) come back as
    # BadEvent, so the checks read each event's raw source.
    check(events[-1].source["type"] == "m.room.create",
          f"oldest event is not the creation: {events[-1].source}")
    # Newest first: our events, in reverse order of sending, are the newest.
    newest = ids[:len(sent_ids)]
    check(newest == list(reversed(sent_ids)),
          f"history order {newest} != {list(reversed(sent_ids))}")
    by_id = {e.event_id: e for e in events}
    bodies = [(by_id[i].sender, by_id[i].source["content"].get("body"))
              for i in sent_ids if i != sent_ids[4]]
    check(bodies[0] == (alice.user_id, "hello bob"), f"{bodies}")
    check(bodies[1] == (bob.user_id, "hi alcie"), f"{bodies}")
    check(bodies[2] == (alice.user_id, None), f"redacted in history: {bodies}")
    check(bodies[3] == (bob.user_id, "* hi alice"), f"{bodies}")
    check(bodies[4] == (bob.user_id, "bye"), f"{bodies}")
    check(redacts(by_id[sent_ids[4]].source) == sent_ids[2],
          f"{by_id[sent_ids[4]]!r}")
    types = {e.source["type"] for e in events}
    for expected in ("m.room.member", "m.room.power_levels", "m.room.name",
                     "m.room.topic", "m.room.join_rules"):
        check(expected in types, f"{expected} missing from history: {types}")


class SyncWatcher:
    """Bob's view of one room through nio's sync callbacks."""

    def __init__(self, client, room_id, alice_id):
        self.room_id = room_id
        self.alice_id = alice_id
        self.messages = []  # (event_id, sender, body), in arrival order.
        self.typing = []  # The user list of every m.typing, in order.
        self.receipts = []  # (event_id, receipt_type, user_id).
        self.sync_errors = []
        self.synced = asyncio.Event()
        self.changed = asyncio.Event()
        client.add_response_callback(self.on_sync, nio.SyncResponse)
        client.add_response_callback(self.on_sync_error, nio.SyncError)
        client.add_event_callback(self.on_message, nio.RoomMessageText)
        client.add_ephemeral_callback(self.on_typing, nio.TypingNoticeEvent)
        client.add_ephemeral_callback(self.on_receipt, nio.ReceiptEvent)

    async def on_sync(self, response):
        self.synced.set()
        self.changed.set()

    async def on_sync_error(self, response):
        self.sync_errors.append(response)
        self.changed.set()

    def on_message(self, room, event):
        if room.room_id == self.room_id:
            self.messages.append((event.event_id, event.sender, event.body))

    def on_typing(self, room, event):
        if room.room_id == self.room_id:
            self.typing.append(list(event.users))

    def on_receipt(self, room, event):
        if room.room_id == self.room_id:
            self.receipts.extend(
                (r.event_id, r.receipt_type, r.user_id) for r in event.receipts)

    def bodies_from(self, sender):
        return [body for _, who, body in self.messages if who == sender]

    async def wait_for(self, what, condition):
        """Waits (at most WAIT_S) until condition() holds after a sync."""
        deadline = time.monotonic() + WAIT_S
        while not condition():
            check(not self.sync_errors, f"sync failed: {self.sync_errors}")
            left = deadline - time.monotonic()
            check(left > 0, f"timed out waiting for {what}; saw messages "
                  f"{self.messages}, typing {self.typing}, receipts "
                  f"{self.receipts}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass


async def follow_with_sync_loop(alice, bob, room_id, hello, bye):
    watcher = SyncWatcher(bob, room_id, alice.user_id)
    loop = asyncio.ensure_future(
        bob.sync_forever(timeout=SYNC_LONG_POLL_MS, full_state=True))
    try:
        await watcher.wait_for("bob's first sync", watcher.synced.is_set)
        room = bob.rooms.get(room_id)
        check(room is not None, f"room missing from bob's rooms: {bob.rooms}")
        check({alice.user_id, bob.user_id} <= set(room.users),
              f"members after the first sync: {list(room.users)}")
        check(room.topic == "nio talks", f"topic: {room.topic!r}")
        # The initial sync's timeline holds the conversation so far.
        check(hello in [event_id for event_id, _, _ in watcher.messages],
              f"initial timeline: {watcher.messages}")
        check(watcher.bodies_from(bob.user_id)[-1:] == ["bye"],
              f"initial timeline: {watcher.messages}")

        ok(await alice.room_typing(room_id, True, 30000),
           nio.RoomTypingResponse)
        await watcher.wait_for(
            "alice typing",
            lambda: any(alice.user_id in users for users in watcher.typing))

        question = await send_text(alice, room_id, "are you there?")
        await watcher.wait_for(
            "alice's new message",
            lambda: question in [e for e, _, _ in watcher.messages])
        check(watcher.messages[-1] == (question, alice.user_id,
                                       "are you there?"),
              f"newest message: {watcher.messages[-1]}")

        ok(await alice.update_receipt_marker(room_id, bye),
           nio.UpdateReceiptMarkerResponse)
        await watcher.wait_for(
            "alice's read receipt",
            lambda: (bye, "m.read", alice.user_id) in watcher.receipts)

        ok(await alice.room_typing(room_id, False), nio.RoomTypingResponse)
        started = next(i for i, users in enumerate(watcher.typing)
                       if alice.user_id in users)
        await watcher.wait_for(
            "alice to stop typing",
            lambda: any(alice.user_id not in users
                        for users in watcher.typing[started + 1:]))
        check(alice.user_id not in bob.rooms[room_id].typing_users,
              f"typing users: {bob.rooms[room_id].typing_users}")
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    ids = [event_id for event_id, _, _ in watcher.messages]
    check(len(ids) == len(set(ids)),
          f"the sync loop delivered an event twice: {watcher.messages}")
    print(f"sync loop: {len(ids)} messages, typing {watcher.typing}, "
          f"{len(watcher.receipts)} receipts")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: nio_chat_test.py PATH_TO_MYELIN")
    run(sys.argv[1], scenario, TOTAL_TIMEOUT_S)


if __name__ == "__main__":
    main()
