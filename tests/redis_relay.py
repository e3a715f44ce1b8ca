"""A TCP relay on loopback between Redis clients and a server, that cuts chosen replies mid-way.

What a dropped connection looks like at the worst moment: the request reached
the server, which ran it (it only replies after running a command), and the
connection dies while the reply is on its way. The relay forwards bytes both
ways; for each reply it asks `cut(command, reply)` (the command's name, the
first chunk of the reply) and, when told to, forwards half of that chunk and
closes both sockets. Every cut is recorded in `cuts`, by command name.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable

Decide = Callable[[str, bytes], bool]


def _command(request: bytes) -> str:
    """The name of the command a RESP request starts with ('' when it is not one)."""
    parts = request.split(b"\r\n", 3)
    if len(parts) < 3 or not request.startswith(b"*"):
        return ""
    return parts[2].decode(errors="replace").upper()


class Relay:
    """Listens on a free loopback port; each connection is relayed to `upstream_port`."""

    def __init__(self, upstream_port: int, cut: Decide) -> None:
        self.upstream_port = upstream_port
        self.decide = cut
        self.cuts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=2)
            except OSError:  # the server is down: so is the connection
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open.update((client, server))
            awaited = [""]  # the command whose reply has not started yet on this connection
            threading.Thread(
                target=self._requests, args=(client, server, awaited), daemon=True
            ).start()
            threading.Thread(
                target=self._replies, args=(server, client, awaited), daemon=True
            ).start()

    def _requests(self, client: socket.socket, server: socket.socket, awaited: list[str]) -> None:
        while chunk := self._recv(client):
            command = _command(chunk)
            if command:
                awaited[0] = command
            if not self._send(server, chunk):
                break
        self._drop(client, server)

    def _replies(self, server: socket.socket, client: socket.socket, awaited: list[str]) -> None:
        while chunk := self._recv(server):
            command, awaited[0] = awaited[0], ""  # only a reply's first chunk is judged
            with self.lock:
                cut = bool(command) and self.decide(command, chunk)
                if cut:
                    self.cuts[command] += 1
            if cut:
                self._send(client, chunk[: len(chunk) // 2])
                break
            if not self._send(client, chunk):
                break
        self._drop(client, server)

    @staticmethod
    def _recv(sock: socket.socket) -> bytes:
        try:
            return sock.recv(65536)
        except OSError:
            return b""

    @staticmethod
    def _send(sock: socket.socket, data: bytes) -> bool:
        try:
            sock.sendall(data)
            return True
        except OSError:
            return False

    def _drop(self, *socks: socket.socket) -> None:
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
            with self.lock:
                self.open.discard(sock)

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            socks = list(self.open)
        self._drop(*socks)


def every(n: int, command: str, *, longer_than: int = 40, times: int | None = None) -> Decide:
    """Cut every n-th reply to `command` longer than `longer_than` bytes (one carrying entries).

    With `times`, only the first `times` such replies are cut.
    """
    seen = Counter[str]()

    def decide(name: str, reply: bytes) -> bool:
        if name != command or len(reply) <= longer_than:
            return False
        seen[name] += 1
        return seen[name] % n == 0 and (times is None or seen[name] // n <= times)

    return decide
