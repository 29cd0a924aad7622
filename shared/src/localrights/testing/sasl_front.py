"""A SASL door in front of the embedded broker, for tests of Kafka authentication.

The embedded Tansu 0.6 can require authentication (``--authentication``), but its build
has no PLAIN, and SCRAM users must be stored through the broker itself, which refuses to
talk before authentication (its storage here is in memory, so they cannot be added first).
This front does what a Kafka broker's SASL listener does (KIP-43, KIP-152): it passes the
client's ApiVersions request through, answers SaslHandshake and SaslAuthenticate itself,
checking PLAIN and SCRAM-SHA-256/512 passwords (SCRAM by ``scramp``, a well-kept
implementation of RFC 5802) or OAUTHBEARER tokens (RFC 7628), closes the connection on a
failure as Kafka does, and once the client is authenticated splices it to the broker.
The broker must advertise the front's address, so that every connection crosses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from localrights.embedded import free_port

API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 17, 36
UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, SASL_AUTHENTICATION_FAILED = 33, 34, 58
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER")


class Refused(Exception):
    """The client's credentials are wrong; the message goes back in SaslAuthenticate."""


@dataclass
class SaslFront:
    """Listens on 127.0.0.1:``port``; authenticated connections go on to ``broker_port``."""

    broker_port: int
    users: Mapping[str, str] = field(default_factory=dict)
    tokens: Collection[str] = ()
    mechanisms: tuple[str, ...] = MECHANISMS
    port: int = field(default_factory=free_port)
    # (mechanism, who) of every successful authentication, and of every refusal.
    authenticated: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        broker_in, broker_out = await asyncio.open_connection("127.0.0.1", self.broker_port)
        try:
            if await self._authenticate(client_in, client_out, broker_in, broker_out):
                await asyncio.gather(_pipe(client_in, broker_out), _pipe(broker_in, client_out))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for writer in (client_out, broker_out):
                writer.close()

    async def _authenticate(
        self,
        client_in: asyncio.StreamReader,
        client_out: asyncio.StreamWriter,
        broker_in: asyncio.StreamReader,
        broker_out: asyncio.StreamWriter,
    ) -> bool:
        mechanism: str | None = None
        scram: Any = None
        while True:
            frame = await _read_frame(client_in)
            api_key, version, correlation_id = struct.unpack(">hhi", frame[:8])
            if api_key == API_VERSIONS:  # the broker says which versions it speaks
                broker_out.write(_framed(frame))
                client_out.write(_framed(await _read_frame(broker_in)))
                continue
            body = _request_body(frame)
            if api_key == SASL_HANDSHAKE and mechanism is None:
                (asked,) = _strings(body, 1)
                error = 0 if asked in self.mechanisms else UNSUPPORTED_SASL_MECHANISM
                mechanism = asked if error == 0 else None
                client_out.write(
                    _framed(_handshake_response(correlation_id, error, self.mechanisms))
                )
                if error:
                    return False
                continue
            if api_key != SASL_AUTHENTICATE or mechanism is None or version > 1:
                reply = _authenticate_response(
                    correlation_id, version, ILLEGAL_SASL_STATE, "authenticate first"
                )
                client_out.write(_framed(reply))
                return False
            (length,) = struct.unpack(">i", body[:4])
            try:
                auth_bytes, done, scram = self._step(mechanism, body[4 : 4 + length], scram)
            except Refused as exc:
                self.refused.append((mechanism, str(exc)))
                reply = _authenticate_response(
                    correlation_id,
                    version,
                    SASL_AUTHENTICATION_FAILED,
                    f"Authentication failed: {exc}",
                )
                client_out.write(_framed(reply))
                await client_out.drain()
                return False
            client_out.write(
                _framed(_authenticate_response(correlation_id, version, 0, None, auth_bytes))
            )
            if done:
                await client_out.drain()
                return True

    def _step(self, mechanism: str, auth_bytes: bytes, scram: Any) -> tuple[bytes, bool, Any]:
        """One SASL exchange step: (reply to the client, authenticated now, SCRAM state)."""
        if mechanism == "PLAIN":
            _authzid, user, password = auth_bytes.decode().split("\0")
            if self.users.get(user) != password:
                raise Refused(f"invalid password for {user!r}")
            self.authenticated.append((mechanism, user))
            return b"", True, None
        if mechanism == "OAUTHBEARER":
            fields = dict(
                part.split("=", 1) for part in auth_bytes.decode().split("\x01") if "=" in part
            )
            token = fields.get("auth", "").removeprefix("Bearer ")
            if token not in self.tokens:
                raise Refused("invalid token")
            self.authenticated.append((mechanism, token[:12]))
            return b"", True, None
        return self._scram_step(mechanism, auth_bytes, scram)

    def _scram_step(self, mechanism: str, auth_bytes: bytes, scram: Any) -> tuple[bytes, bool, Any]:
        from scramp import ScramException, ScramMechanism

        if scram is None:  # client-first: who, and a nonce
            scram_mechanism = ScramMechanism(mechanism)

            def auth_info(user: str) -> tuple[bytes, bytes, bytes, int]:
                if user not in self.users:
                    raise Refused(f"unknown user {user!r}")
                return scram_mechanism.make_auth_info(self.users[user], iteration_count=4096)  # type: ignore[no-any-return]

            first = auth_bytes.decode()
            user = next((p[2:] for p in first.split(",") if p.startswith("n=")), "")
            server = scram_mechanism.make_server(auth_info)
            try:
                server.set_client_first(first)
            except ScramException as exc:
                raise Refused(str(exc)) from None
            return server.get_server_first().encode(), False, (server, user)
        server, user = scram
        try:  # client-final: the proof of the password
            server.set_client_final(auth_bytes.decode())
        except ScramException as exc:
            raise Refused(f"{exc} for {user!r}") from None
        self.authenticated.append((mechanism, user))
        return server.get_server_final().encode(), True, None


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    (size,) = struct.unpack(">i", await reader.readexactly(4))
    return await reader.readexactly(size)


def _framed(payload: bytes) -> bytes:
    return struct.pack(">i", len(payload)) + payload


def _request_body(frame: bytes) -> bytes:
    """The body of a request with a v1 header (api key, version, correlation id, client id)."""
    (client_id_length,) = struct.unpack(">h", frame[8:10])
    return frame[10 + max(client_id_length, 0) :]


def _strings(body: bytes, count: int) -> list[str]:
    found, offset = [], 0
    for _ in range(count):
        (length,) = struct.unpack(">h", body[offset : offset + 2])
        found.append(body[offset + 2 : offset + 2 + length].decode())
        offset += 2 + length
    return found


def _string(value: str | None) -> bytes:
    if value is None:
        return struct.pack(">h", -1)
    encoded = value.encode()
    return struct.pack(">h", len(encoded)) + encoded


def _handshake_response(correlation_id: int, error: int, mechanisms: tuple[str, ...]) -> bytes:
    listed = b"".join(_string(m) for m in mechanisms)
    return struct.pack(">ihi", correlation_id, error, len(mechanisms)) + listed


def _authenticate_response(
    correlation_id: int, version: int, error: int, message: str | None, auth_bytes: bytes = b""
) -> bytes:
    out = struct.pack(">ih", correlation_id, error) + _string(message)
    out += struct.pack(">i", len(auth_bytes)) + auth_bytes
    if version >= 1:
        out += struct.pack(">q", 0)  # session lifetime: no re-authentication asked
    return out


async def _pipe(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await source.read(65536):
            target.write(data)
            await target.drain()
    with contextlib.suppress(Exception):
        target.close()
