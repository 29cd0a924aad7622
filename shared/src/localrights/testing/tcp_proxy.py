"""A TCP proxy in front of PostgreSQL that can pass a server's last words on before its close.

When PostgreSQL ends a connection (a restart, ``pg_terminate_backend``) it sends an error
(FATAL 57P01) and then closes the socket. A client may read the error in one turn of its
event loop and the close only in a later one; in between, the connection looks open but can
no longer run a statement (asyncpg: "cannot switch to state 12; another operation (2) is in
progress"). Under load that window is hit now and then; with ``hold_closes`` set, this proxy
forwards everything the server sent but keeps the client's side open until
``release_held()``, so a test can put a statement into that window every time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit


@dataclass(eq=False)
class _Link:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter | None = None
    server_closed: asyncio.Event = field(default_factory=asyncio.Event)
    client_closed: asyncio.Event = field(default_factory=asyncio.Event)


class DelayedCloseProxy:
    """Forwards 127.0.0.1:<port> to a PostgreSQL server; see the module docstring."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.hold_closes = False
        self.port = 0

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, database_url: str) -> AsyncIterator[tuple[DelayedCloseProxy, str]]:
        """Start a proxy to the database of ``database_url``; yield it and the proxied URL."""
        parts = urlsplit(database_url)
        proxy = cls(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.start()
        credentials = parts.netloc.rpartition("@")[0]
        netloc = (
            f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
        )
        try:
            yield proxy, urlunsplit(parts._replace(netloc=netloc))
        finally:
            await proxy.stop()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):  # both ends closed: the pumps end by themselves
            link.client.close()
            if link.server is not None:
                link.server.close()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)

    @property
    def held(self) -> list[_Link]:
        """Connections the server closed whose client side is still held open."""
        return [link for link in self._links if link.server_closed.is_set()]

    def open_links(self) -> list[_Link]:
        """The connections whose server side is open now."""
        return [link for link in self._links if not link.server_closed.is_set()]

    async def wait_server_closed(self, links: list[_Link], timeout: float = 10.0) -> None:
        """Return once the server has closed each of ``links``; TimeoutError if not."""
        async with asyncio.timeout(timeout):
            for link in links:
                await link.server_closed.wait()

    def release_held(self) -> None:
        """Close the client side of every held connection, as the server's close would."""
        for link in self.held:
            link.client.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        link = _Link(writer)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            self._tasks.discard(task)
            return
        link.server = upstream_writer
        self._links.add(link)
        to_server = asyncio.create_task(self._pump(reader, upstream_writer, link.client_closed))
        try:
            await self._pump(upstream_reader, writer, link.server_closed, close=False)
            if not self.hold_closes:
                writer.close()
            await link.client_closed.wait()  # until the client hangs up or is released
        finally:
            to_server.cancel()
            with contextlib.suppress(BaseException):
                await to_server
            upstream_writer.close()
            writer.close()
            self._links.discard(link)
            self._tasks.discard(task)

    @staticmethod
    async def _pump(
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        ended: asyncio.Event,
        *,
        close: bool = True,
    ) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            ended.set()
            if close:
                writer.close()
