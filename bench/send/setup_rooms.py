"""Prepares the send benchmark: users, rooms, memberships, a targets file.

Usage: setup_rooms.py BASE_URL USERS ROOMS TARGETS_FILE

Registers USERS users (user-interactive auth, m.login.dummy), has user i
create room i for i < ROOMS, joins every user to every room, and writes one
loadgen --targets line per (user, room) pair:
  /_matrix/client/v3/rooms/ROOM/send/m.room.message/{seq}<TAB>Authorization: Bearer TOKEN
Lines are ordered so that the first k lines (k connections) spread over all
users and all rooms. Standard library only; loopback only.
"""

import http.client
import json
import sys
import urllib.parse

V3 = "/_matrix/client/v3"


def call(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, json.dumps(body) if body is not None else None,
                 headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def register(conn, name):
    _, challenge = call(conn, "POST", V3 + "/register", {})
    status, reply = call(conn, "POST", V3 + "/register", {
        "username": name, "password": "bench-password",
        "auth": {"type": "m.login.dummy", "session": challenge["session"]}})
    if status != 200:
        sys.exit(f"register {name}: {status} {reply}")
    return reply["access_token"]


def main():
    base, users, rooms, targets_file = sys.argv[1], *map(int, sys.argv[2:4]), \
        sys.argv[4]
    url = urllib.parse.urlsplit(base)
    if url.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("loopback only")
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    tokens = [register(conn, f"bench{i}") for i in range(users)]
    room_ids = []
    for r in range(rooms):
        status, reply = call(conn, "POST", V3 + "/createRoom",
                             {"preset": "public_chat", "name": f"bench {r}"},
                             tokens[r % users])
        if status != 200:
            sys.exit(f"createRoom: {status} {reply}")
        room_ids.append(reply["room_id"])
    for u, token in enumerate(tokens):
        for r, room_id in enumerate(room_ids):
            if r % users == u:
                continue  # The creator is in already.
            status, reply = call(conn, "POST",
                                 V3 + "/join/" + urllib.parse.quote(room_id),
                                 {}, token)
            if status != 200:
                sys.exit(f"join: {status} {reply}")
    with open(targets_file, "w") as out:
        for i in range(users * rooms):
            # User i % users, room (i + i // users) % rooms: every pair once.
            room_id = room_ids[(i + i // users) % rooms]
            out.write(f"{V3}/rooms/{urllib.parse.quote(room_id)}"
                      "/send/m.room.message/{seq}\t"
                      f"Authorization: Bearer {tokens[i % users]}\n")


if __name__ == "__main__":
    main()
