"""Tests of the platform against what managed Kafka and PostgreSQL present: TLS with a CA
of the test's own, SASL, secrets mounted as files.

The servers are the embedded ones (PostgreSQL 18, Tansu) made to speak TLS: PostgreSQL by
its own ``ssl = on``, the broker behind Debian's stunnel. Each module starts what it needs
once and its tests share it.
"""

from __future__ import annotations

import pytest

from localrights.testing.tls import Certificates, issue_certificates


@pytest.fixture(scope="package")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """The CA the servers' certificates (for ``localhost``) and a client certificate come from."""
    return issue_certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture(scope="package")
def other_certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """Another CA: what a service configured with the wrong CA file trusts."""
    return issue_certificates(tmp_path_factory.mktemp("other-certificates"))
