"""`python -m tests.collect.aws.live.moto_server -p PORT`: moto's own server (`python -m moto.server`), with
the few calls moto lacks answered empty (see `moto_extras`).  `serve()` runs one for a test."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.collect.aws.live.moto_extras import install

REPO = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(timeout: float = 60) -> Iterator[str]:
    """This module as a server on a free port of 127.0.0.1, until the block ends; yields its URL."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tests.collect.aws.live.moto_server", "-H", "127.0.0.1", "-p", str(port)],
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start on {url}") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    install()
    from moto.server import main

    main(sys.argv[1:])
