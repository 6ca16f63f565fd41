"""A TCP forwarder in front of the test PostgreSQL server, which a test can take down and
bring back on the same port, and which can ask for a password the way a server does.

The shared test server is never stopped: "the server goes down" is this forwarder closing
its listener and every connection through it.
"""

from __future__ import annotations

import socket
import struct
import threading
from contextlib import suppress

from sqlalchemy.engine import make_url

SSL_REQUEST = 80877103
GSS_REQUEST = 80877104
CLEARTEXT_PASSWORD = 3


class PgProxy:
    """Forwards 127.0.0.1:`port` to `upstream_url`'s host and port.

    With `password`, a client must send it (PostgreSQL's cleartext password exchange)
    before its connection is passed on; a wrong one gets the server's own refusal
    (SQLSTATE 28P01). The test server trusts every login, so this is the only way to
    see a real driver meet a wrong password.
    """

    def __init__(self, upstream_url: str, *, password: str | None = None) -> None:
        upstream = make_url(upstream_url)
        self.upstream_url = upstream_url
        self.upstream = (upstream.host or "127.0.0.1", upstream.port or 5432)
        self.password = password
        self.port = 0
        self.connections = 0  # accepted so far, to tell a reconnection from a kept one
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def url(self, **changes: object) -> str:
        """The upstream URL pointed at this forwarder, with `changes` (user, password...)."""
        url = make_url(self.upstream_url).set(host="127.0.0.1", port=self.port, **changes)
        return url.render_as_string(hide_password=False)

    def up(self) -> None:
        """Listen (again) on the same port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def down(self) -> None:
        """Stop listening and cut every connection, as a server that went away."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            doomed, self._open = list(self._open), set()
        for connection in doomed:
            _close(connection)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            self.connections += 1
            with self._lock:
                self._open.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            startup = _read_startup(client)
            if startup is None or not self._password_accepted(client, startup):
                _close(client)
                return
            server = socket.create_connection(self.upstream)
        except OSError:
            _close(client)
            return
        with self._lock:
            if client not in self._open:  # went down meanwhile
                _close(server)
                return
            self._open.add(server)
        server.sendall(startup)
        threading.Thread(target=_pump, args=(server, client), daemon=True).start()
        _pump(client, server)

    def _password_accepted(self, client: socket.socket, startup: bytes) -> bool:
        if self.password is None:
            return True
        client.sendall(b"R" + struct.pack("!ii", 8, CLEARTEXT_PASSWORD))
        kind = _read_exactly(client, 1)
        length = struct.unpack("!i", _read_exactly(client, 4))[0]
        given = _read_exactly(client, length - 4).rstrip(b"\0").decode("utf-8", "replace")
        if kind == b"p" and given == self.password:
            return True
        user = _startup_parameters(startup).get("user", "")
        fields = [b"SFATAL", b"VFATAL", b"C28P01"]
        fields.append(f'Mpassword authentication failed for user "{user}"'.encode())
        body = b"".join(field + b"\0" for field in fields) + b"\0"
        client.sendall(b"E" + struct.pack("!i", len(body) + 4) + body)
        return False


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        chunk = connection.recv(size - len(chunks))
        if not chunk:
            raise ConnectionResetError("closed in the middle of a message")
        chunks += chunk
    return chunks


def _read_startup(client: socket.socket) -> bytes | None:
    """The client's startup message, after declining its offers of SSL and GSS encryption."""
    while True:
        length = struct.unpack("!i", _read_exactly(client, 4))[0]
        body = _read_exactly(client, length - 4)
        code = struct.unpack("!i", body[:4])[0]
        if code in (SSL_REQUEST, GSS_REQUEST):
            client.sendall(b"N")
            continue
        return struct.pack("!i", length) + body if length > 8 else None


def _startup_parameters(startup: bytes) -> dict[str, str]:
    words = startup[8:].split(b"\0")
    return {
        words[i].decode(): words[i + 1].decode() for i in range(0, len(words) - 1, 2) if words[i]
    }


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    _close(source)
    _close(target)


def _close(connection: socket.socket) -> None:
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        connection.close()
