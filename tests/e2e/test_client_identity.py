"""Who a resident is, on the platform as launched: forwarded headers do not make new devices.

The stack runs as the launcher runs it (uvicorn with --no-proxy-headers, no trusted proxy),
so a client that writes a fresh X-Forwarded-For on each call is still one address and, with
its one User-Agent, one device for the consultation's per-device cap.
"""

from __future__ import annotations

from uuid import uuid4

from .platform_client import Platform, park_or_library

PER_DEVICE = 10  # the consultation service's default responses per device and window


async def test_fresh_forwarded_addresses_from_one_peer_meet_the_per_device_cap(
    platform: Platform,
) -> None:
    officer = await platform.institution_with_officer(
        name="Comune di Bologna (client identity)",
        kind="municipality",
        country="IT",
        jurisdiction="IT-BO",
    )
    consultation = await officer.call(
        "POST", "/api/v1/consultations", json=park_or_library("IT-BO", title="Client identity")
    )
    await officer.call("POST", f"/api/v1/consultations/{consultation['id']}/open")
    phone = platform.anonymous(**{"User-Agent": "Mozilla/5.0 (Linux; Android 14; one phone)"})
    answers = []
    for n in range(PER_DEVICE + 3):
        answers.append(
            await phone.post(
                f"/api/v1/consultations/{consultation['id']}/responses",
                json={"answers": {"space": "park"}},
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}", "Idempotency-Key": uuid4().hex},
            )
        )
    statuses = [answer.status_code for answer in answers]
    assert statuses == [201] * PER_DEVICE + [429] * 3, statuses
    for refused in answers[PER_DEVICE:]:
        assert refused.headers["content-type"] == "application/problem+json"
        # When the next quota window opens: at most the window (an hour) away.
        assert 0 < int(refused.headers["retry-after"]) <= 3600, refused.headers
