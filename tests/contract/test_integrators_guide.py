"""The integrators' guide's code works as printed: verifying a delivery, reading a topic.

The Python blocks of docs/integrators.md are run here as a reader would paste them: the
receiver against a body signed by the notifications service's own signer, the Kafka reader
against the real broker with an event relayed as the platform relays it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from contract_kit import ROOT

from localrights.events import get_event_type, new_event
from localrights.kafka import KafkaConnection, ensure_topics, platform_topics
from localrights_notifications.delivery.senders import signed_headers

GUIDE = ROOT / "docs" / "integrators.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)


def block_defining(name: str) -> str:
    [block] = [b for b in python_blocks() if f"def {name}(" in b]
    return block


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class TestVerifyADelivery:
    def test_a_signed_delivery_verifies_and_a_tampered_one_does_not(self) -> None:
        namespace: dict[str, Any] = {}
        exec(block_defining("verify_delivery"), namespace)
        verify = namespace["verify_delivery"]
        secret = new_secret()
        body = new_event(
            get_event_type("alert.published").example, source="/notifications"
        ).to_json_bytes()
        headers = signed_headers(
            secret=secret, message_id="msg-1", body=body, now=datetime.now(UTC)
        )

        event = verify(secret, body, headers)
        assert event["type"] == "alert.published"
        assert verify(secret, body.replace(b"US", b"UY"), headers) is None
        assert verify(new_secret(), body, headers) is None
        stale = signed_headers(
            secret=secret,
            message_id="msg-1",
            body=body,
            now=datetime.now(UTC) - timedelta(minutes=10),
        )
        assert verify(secret, body, stale) is None

    async def test_the_example_receiver_accepts_once_and_refuses_forgeries(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        secret = new_secret()
        namespace: dict[str, Any] = {}
        exec(block_defining("verify_delivery"), namespace)
        exec(block_defining("receive").replace('"whsec_..."', repr(secret)), namespace)
        body = new_event(
            get_event_type("exercise.opened").example, source="/recommendations"
        ).to_json_bytes()
        headers = signed_headers(
            secret=secret, message_id="msg-2", body=body, now=datetime.now(UTC)
        )
        transport = httpx.ASGITransport(app=namespace["app"])
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:
            ok = await client.post("/localrights/webhook", content=body, headers=headers)
            again = await client.post("/localrights/webhook", content=body, headers=headers)
            forged = await client.post("/localrights/webhook", content=body + b" ", headers=headers)
        assert (ok.status_code, again.status_code, forged.status_code) == (204, 204, 400)
        assert capsys.readouterr().out.count("exercise.opened") == 1


class TestReadATopic:
    async def test_the_example_reader_prints_the_events_of_its_topics(
        self,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        from aiokafka import AIOKafkaProducer

        await ensure_topics(KafkaConnection(kafka_bootstrap_servers), platform_topics(topic_prefix))
        et = get_event_type("alert.published")
        envelope = new_event(et.example, source="/notifications")
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(
                topic_prefix + et.topic,
                envelope.to_json_bytes(),
                key=(envelope.subject or "").encode(),
                headers=[("content-type", b"application/cloudevents+json; charset=utf-8")],
            )
        finally:
            await producer.stop()

        source = block_defining("follow")
        namespace: dict[str, Any] = {}
        exec(source.split("\nasyncio.run(")[0], namespace)  # define, do not run forever
        reading = asyncio.create_task(
            namespace["follow"](
                kafka_bootstrap_servers, [topic_prefix + et.topic], f"{topic_prefix}ext-example"
            )
        )
        try:
            for _ in range(300):
                if "alert.published" in capsys.readouterr().out:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the guide's reader printed nothing")
        finally:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
