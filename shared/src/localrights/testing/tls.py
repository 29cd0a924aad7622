"""What managed servers present, for tests: certificates from a test CA, and TLS in front of
a plain server by Debian's stunnel, as a cloud's load balancer or proxy terminates it.

Certificates come from ``trustme`` (a CA made for the test run, never trusted elsewhere);
``TlsTerminator`` runs ``stunnel4``, which ``make test`` installs like the chromium of the
browser tests (``deploy/tools/ensure_stunnel.sh``). In front of the Kafka broker it speaks
TLS from the first byte; in front of PostgreSQL (``protocol="pgsql"``) it first answers the
client's SSLRequest as PostgreSQL does, since the embedded PostgreSQL's build has no TLS.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from localrights.embedded import free_port, terminate, wait_for_port


@dataclass(frozen=True)
class Certificates:
    """A CA, a server certificate for ``localhost`` and a client certificate, as PEM files."""

    ca_file: Path
    server_cert_file: Path
    server_key_file: Path
    client_cert_file: Path
    client_key_file: Path


def issue_certificates(directory: Path, *, server_host: str = "localhost") -> Certificates:
    """A fresh CA in ``directory`` and the certificates it signed."""
    import trustme

    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert(server_host)
    client = ca.issue_cert("localrights-client@example.org")
    files = Certificates(
        ca_file=directory / "ca.pem",
        server_cert_file=directory / "server.pem",
        server_key_file=directory / "server.key",
        client_cert_file=directory / "client.pem",
        client_key_file=directory / "client.key",
    )
    ca.cert_pem.write_to_path(str(files.ca_file))
    server.cert_chain_pems[0].write_to_path(str(files.server_cert_file))
    server.private_key_pem.write_to_path(str(files.server_key_file))
    client.cert_chain_pems[0].write_to_path(str(files.client_cert_file))
    client.private_key_pem.write_to_path(str(files.client_key_file))
    return files


def stunnel_binary() -> str | None:
    return shutil.which("stunnel4") or shutil.which("stunnel")


STUNNEL_MISSING = (
    "stunnel4 is not installed: `make test` installs it (deploy/tools/ensure_stunnel.sh, "
    "as root with apt-get); without it the real-TLS broker tests cannot run"
)


class TlsTerminator:
    """stunnel accepting TLS on 127.0.0.1:``port``, passing plain bytes on to ``target``
    (``host:port``, or a Unix socket's path)."""

    def __init__(
        self,
        directory: Path,
        *,
        target: str,
        certificates: Certificates,
        protocol: str | None = None,
        require_client_certificate: bool = False,
        port: int | None = None,
    ) -> None:
        self.directory = directory
        self.target = target
        self.protocol = protocol
        self.certificates = certificates
        self.require_client_certificate = require_client_certificate
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = stunnel_binary()
        if binary is None:
            raise RuntimeError(STUNNEL_MISSING)
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / f"stunnel-{self.port}.conf"
        lines = [
            "foreground = yes",
            "pid =",
            f"output = {self.directory / f'stunnel-{self.port}.log'}",
            "[tls]",
            f"accept = 127.0.0.1:{self.port}",
            f"connect = {self.target}",
            f"cert = {self.certificates.server_cert_file}",
            f"key = {self.certificates.server_key_file}",
        ]
        if self.protocol is not None:
            lines.append(f"protocol = {self.protocol}")
        if self.require_client_certificate:
            lines += [
                f"CAfile = {self.certificates.ca_file}",
                "verifyChain = yes",
                "requireCert = yes",
            ]
        config.write_text("\n".join(lines) + "\n")
        self._process = subprocess.Popen(
            [binary, str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port, timeout=15)

    def log_text(self) -> str:
        try:
            return (self.directory / f"stunnel-{self.port}.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self._process is not None:
            terminate(self._process)
            self._process = None
