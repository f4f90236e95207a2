"""Populates a Myelin server for the sync workloads, over HTTP keep-alive.

Usage: populate.py BASE_URL OUT_DIR --users U --rooms R --members M
                   --messages E [--threads T] [--seed S]

1. Registers U users bench0..bench{U-1} (user-interactive auth,
   m.login.dummy; the server needs enable_registration and cheap argon2).
2. User 0 creates R public rooms.
3. Users 1..M-1 join every room, so each room has M members (M <= U).
4. E messages go into every room, each from a member picked at random
   (seeded), so that lazy-loaded members differ between rooms.

Writes OUT_DIR/tokens.txt (user i's access token on line i) and
OUT_DIR/rooms.txt (one room id a line), and prints each phase's count,
seconds and requests/s. T threads (default 8) each own a keep-alive
connection and a share of the rooms: different threads write to different
rooms, whose writes the server serialises per room. Standard library only;
loopback only; any non-2xx response stops the script with the error.
"""

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

V3 = "/_matrix/client/v3"


class Client:
    """One keep-alive connection; reopened if the server closes it."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def call(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = json.dumps(body) if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, data, headers)
                response = self.conn.getresponse()
                return response.status, json.loads(response.read() or b"{}")
            except (http.client.HTTPException, ConnectionError):
                # Only an idle keep-alive connection closed by the server
                # is retried; a second failure is real.
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=60)
        raise AssertionError("unreachable")

    def ok(self, method, path, body=None, token=None):
        status, reply = self.call(method, path, body, token)
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status} {reply}")
        return reply


def register(client, name):
    _, challenge = client.call("POST", V3 + "/register", {})
    reply = client.ok("POST", V3 + "/register", {
        "username": name, "password": "bench-password",
        "auth": {"type": "m.login.dummy", "session": challenge["session"]}})
    return reply["access_token"]


def in_parallel(url, threads, count, work):
    """Calls work(client, i) for i in range(count), index i on thread
    i % threads, and returns the elapsed seconds. The first exception
    stops the run."""
    errors = []

    def run(k):
        client = Client(url.hostname, url.port)
        try:
            for i in range(k, count, threads):
                if errors:
                    return
                work(client, i)
        except Exception as e:  # Reported once, below.
            errors.append(e)

    start = time.monotonic()
    workers = [threading.Thread(target=run, args=(k,))
               for k in range(min(threads, count))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        sys.exit(f"populate: {errors[0]}")
    return time.monotonic() - start


def phase(name, count, seconds):
    rate = count / seconds if seconds > 0 else 0
    print(f"populate: {name:<9} {count:>7} requests {seconds:7.1f} s "
          f"{rate:8.0f} /s", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("out_dir")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--rooms", type=int, required=True)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--messages", type=int, default=0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.base_url)
    if url.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("populate: loopback only")
    if not 1 <= args.members <= args.users:
        sys.exit("populate: need 1 <= members <= users")

    tokens = [None] * args.users

    def register_one(client, i):
        tokens[i] = register(client, f"bench{i}")

    phase("register", args.users,
          in_parallel(url, args.threads, args.users, register_one))

    rooms = [None] * args.rooms

    def create_one(client, r):
        # In room version 12 the room id is the create event's hash: two
        # identical creates by one user in the same millisecond would get
        # the same room. The nonce keeps them apart.
        rooms[r] = client.ok("POST", V3 + "/createRoom", {
            "preset": "public_chat", "name": f"sync bench {r}",
            "creation_content": {"bench.nonce": r}}, tokens[0])["room_id"]

    phase("create", args.rooms,
          in_parallel(url, args.threads, args.rooms, create_one))
    if len(set(rooms)) != len(rooms):
        sys.exit(f"populate: {len(rooms)} createRoom calls made only "
                 f"{len(set(rooms))} distinct rooms")

    # Room r's work runs on thread r % threads: one writer per room.
    def join_all(client, r):
        path = V3 + "/rooms/" + urllib.parse.quote(rooms[r]) + "/join"
        for u in range(1, args.members):
            client.ok("POST", path, {}, tokens[u])

    phase("join", args.rooms * (args.members - 1),
          in_parallel(url, args.threads, args.rooms, join_all))

    def send_all(client, r):
        rng = random.Random(args.seed * 1_000_003 + r)
        prefix = (V3 + "/rooms/" + urllib.parse.quote(rooms[r]) +
                  "/send/m.room.message/populate.")
        for n in range(args.messages):
            client.ok("PUT", f"{prefix}{n}", {
                "msgtype": "m.text", "body": f"message {n} in room {r}"},
                tokens[rng.randrange(args.members)])

    phase("send", args.rooms * args.messages,
          in_parallel(url, args.threads, args.rooms, send_all))

    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "tokens.txt"), "w") as out:
        out.writelines(t + "\n" for t in tokens)
    with open(os.path.join(args.out_dir, "rooms.txt"), "w") as out:
        out.writelines(r + "\n" for r in rooms)


if __name__ == "__main__":
    main()
