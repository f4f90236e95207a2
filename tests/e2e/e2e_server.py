"""What the end-to-end tests share: the myelin binary on 127.0.0.1 port 0
in a temporary directory, a bounded run, and small assertion helpers.

    run(binary, scenario, total_timeout_s)  # scenario(url) is a coroutine
"""

import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
SERVER_NAME = "e2e.example"

CONFIG = f"""server_name: {SERVER_NAME}
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: 0
    resources: [client]
data_dir: ./data
memory_budget_mb: 32
sync_writes: false
argon2_opslimit: 1
argon2_memlimit_kib: 8
enable_registration: true
rate_limiting: {{enabled: false}}
"""

class Server:
    """The myelin binary in a temporary directory, listening on port 0."""

    def __init__(self, binary, workdir):
        with open(os.path.join(workdir, "homeserver.yaml"), "w") as f:
            f.write(CONFIG)
        self.stderr = open(os.path.join(workdir, "stderr.log"), "w+")
        self.proc = subprocess.Popen(
            [os.path.abspath(binary), "--config", "homeserver.yaml"],
            cwd=workdir, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.url = self._wait_for_listening_line()

    def _wait_for_listening_line(self):
        found = []

        def read():
            for line in self.proc.stdout:
                match = re.match(r"myelin: listening on (http://\S+)", line)
                if match:
                    found.append(match.group(1))
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(START_TIMEOUT_S)
        if not found:
            raise RuntimeError("myelin did not report a listening URL: "
                               + self.stderr_text())
        return found[0]

    def stderr_text(self):
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()[-4000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def ok(response, expected_type):
    check(isinstance(response, expected_type),
          f"expected {expected_type.__name__}, got {response!r}")
    return response




def run(binary, scenario, total_timeout_s):
    """Runs scenario(url) against a fresh server; fails (exit status) on any
    error, printing the server's stderr, and checks a clean shutdown."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(
            dir=os.environ.get("TEST_TMPDIR")) as workdir:
        server = Server(binary, workdir)
        try:
            asyncio.run(asyncio.wait_for(
                scenario(server.url),
                total_timeout_s - (time.monotonic() - started)))
        except BaseException:
            print("myelin stderr:\n" + server.stderr_text(), file=sys.stderr)
            raise
        finally:
            code = server.stop()
        check(code == 0, f"myelin exited with {code} after SIGTERM")
    print(f"PASS in {time.monotonic() - started:.1f} s")
