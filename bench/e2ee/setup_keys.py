"""Prepares the end-to-end encryption benchmark.

Usage: setup_keys.py BASE_URL ONE_TIME_KEYS CONNECTIONS OUT_DIR

Registers a sender and a target user (user-interactive auth, m.login.dummy),
uploads ONE_TIME_KEYS signed_curve25519 one-time keys and a fallback key for
the target's device (in batches, as clients do), and writes into OUT_DIR:
  sender.token, target.user, target.device      for the scripts
  claim.json                                    POST /keys/claim body
  todevice.json                                 PUT /sendToDevice body
  todevice.tsv                                  loadgen --targets: one line
      per connection, /sendToDevice/m.bench/c<i>-{seq}<TAB>Authorization
      (distinct transaction ids per connection)
Standard library only; loopback only.
"""

import base64
import http.client
import json
import os
import sys
import urllib.parse

V3 = "/_matrix/client/v3"
BATCH = 1000


def call(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, json.dumps(body) if body is not None else None,
                 headers)
    response = conn.getresponse()
    data = json.loads(response.read() or b"{}")
    if response.status != 200:
        sys.exit(f"{method} {path}: {response.status} {data}")
    return data


def register(conn, username):
    body = {"username": username, "password": "bench password",
            "auth": {"type": "m.login.dummy"}}
    return call(conn, "POST", V3 + "/register", body)


def key(i):
    # Claims do not check one-time key signatures (clients do), so random
    # bytes in the right shape stand in for Curve25519 keys.
    return {"key": base64.b64encode(os.urandom(32)).decode().rstrip("="),
            "signatures": {}}


def main():
    base, count, connections, out = (sys.argv[1], int(sys.argv[2]),
                                      int(sys.argv[3]), sys.argv[4])
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    sender = register(conn, "sender")
    target = register(conn, "target")
    token, user, device = (target["access_token"], target["user_id"],
                           target["device_id"])
    for start in range(0, count, BATCH):
        keys = {f"signed_curve25519:K{i:08d}": key(i)
                for i in range(start, min(count, start + BATCH))}
        body = {"one_time_keys": keys}
        if start == 0:
            body["fallback_keys"] = {"signed_curve25519:F0": dict(key(0),
                                                                  fallback=True)}
        counts = call(conn, "POST", V3 + "/keys/upload", body, token)
    uploaded = counts["one_time_key_counts"].get("signed_curve25519", 0)
    if uploaded != count:
        sys.exit(f"uploaded {count} one-time keys, the server counts {uploaded}")
    files = {
        "sender.token": sender["access_token"],
        "target.user": user,
        "target.device": device,
        "claim.json": json.dumps(
            {"one_time_keys": {user: {device: "signed_curve25519"}}}),
        "todevice.json": json.dumps({"messages": {user: {device: {
            "algorithm": "m.olm.v1.curve25519-aes-sha2",
            "ciphertext": {"x": {"type": 1, "body": "A" * 400}}}}}}),
        "todevice.tsv": "".join(
            f"{V3}/sendToDevice/m.bench/c{i}-{{seq}}\t"
            f"Authorization: Bearer {sender['access_token']}\n"
            for i in range(connections)),
        "target.token": token,
    }
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
