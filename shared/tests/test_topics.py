"""``python -m localrights.topics``: the platform's topics made and checked on a real broker."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy.ext.asyncio import AsyncEngine

from localrights.events import CONSULTATION_EVENTS, all_topics
from localrights.kafka import KafkaConnection, create_admin, platform_topics
from localrights.runtime import ServiceRuntime
from localrights.settings import ServiceSettings
from localrights.topics import TopicLayout, reconcile

LAYOUT = TopicLayout(partitions=2, replication_factor=3, configs={"min.insync.replicas": "2"})


@pytest.fixture
async def admin(kafka_bootstrap_servers: str) -> AsyncIterator[AIOKafkaAdminClient]:
    client = create_admin(KafkaConnection(kafka_bootstrap_servers))
    await client.start()
    yield client
    await client.close()


def topics_command(bootstrap: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    return subprocess.run(
        [sys.executable, "-m", "localrights.topics", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestEnsure:
    async def test_creates_every_topic_and_dead_letter_topic_with_the_layout(
        self, kafka_bootstrap_servers: str, topic_prefix: str, admin: AIOKafkaAdminClient
    ) -> None:
        kafka = KafkaConnection(kafka_bootstrap_servers)
        topics = platform_topics(topic_prefix)
        assert len(topics) == 2 * len(all_topics())

        report = await reconcile(kafka, topics, LAYOUT, create=True)

        assert sorted(report.created) == sorted(topics)
        assert report.ok
        [described] = await admin.describe_topics([topic_prefix + CONSULTATION_EVENTS + ".dlq"])
        assert len(described["partitions"]) == 2
        assert all(len(p["replicas"]) == 3 for p in described["partitions"])

    async def test_leaves_correct_topics_alone(
        self, kafka_bootstrap_servers: str, topic_prefix: str
    ) -> None:
        kafka = KafkaConnection(kafka_bootstrap_servers)
        topics = platform_topics(topic_prefix)
        await reconcile(kafka, topics, LAYOUT, create=True)

        again = await reconcile(kafka, topics, LAYOUT, create=True)

        assert again.created == []
        assert sorted(again.as_wanted) == sorted(topics)

    async def test_reports_a_topic_with_the_wrong_layout_and_does_not_touch_it(
        self, kafka_bootstrap_servers: str, topic_prefix: str, admin: AIOKafkaAdminClient
    ) -> None:
        wrong = topic_prefix + CONSULTATION_EVENTS
        await admin.create_topics(
            [NewTopic(wrong, 5, 1, topic_configs={"min.insync.replicas": "1"})]
        )

        report = await reconcile(
            KafkaConnection(kafka_bootstrap_servers),
            platform_topics(topic_prefix),
            LAYOUT,
            create=True,
        )

        assert not report.ok
        assert report.differing == {
            wrong: [
                "5 partitions (want 2)",
                "replication factor 1 (want 3)",
                "min.insync.replicas=1 (want 2)",
            ]
        }
        assert wrong not in report.created
        [described] = await admin.describe_topics([wrong])
        assert len(described["partitions"]) == 5, "an existing topic is never changed"

    def test_the_command_exits_non_zero_on_a_wrong_partition_count(
        self, kafka_bootstrap_servers: str, topic_prefix: str
    ) -> None:
        made = topics_command(
            kafka_bootstrap_servers,
            "ensure",
            "--prefix",
            topic_prefix,
            "--partitions",
            "2",
            "--replication-factor",
            "1",
        )
        assert made.returncode == 0, made.stderr
        assert f"created  {topic_prefix}{CONSULTATION_EVENTS} (2 partitions" in made.stdout

        checked = topics_command(
            kafka_bootstrap_servers, "check", "--prefix", topic_prefix, "--partitions", "4"
        )

        assert checked.returncode == 1
        assert f"DIFFERS  {topic_prefix}{CONSULTATION_EVENTS}: 2 partitions (want 4)" in (
            checked.stdout
        )


class TestCheck:
    async def test_check_reports_missing_topics_and_creates_nothing(
        self, kafka_bootstrap_servers: str, topic_prefix: str, admin: AIOKafkaAdminClient
    ) -> None:
        topics = platform_topics(topic_prefix)
        report = await reconcile(
            KafkaConnection(kafka_bootstrap_servers), topics, LAYOUT, create=False
        )
        assert sorted(report.missing) == sorted(topics)
        assert not set(topics) & set(await admin.list_topics())

    def test_an_unreachable_cluster_is_exit_status_2(self) -> None:
        done = topics_command("127.0.0.1:1", "check")
        assert done.returncode == 2
        assert "could not reach the cluster at 127.0.0.1:1" in done.stderr


class TestServicesCreatingTopics:
    def settings(
        self, bootstrap: str, database_url: str, prefix: str, **more: object
    ) -> ServiceSettings:
        return ServiceSettings(
            database_url=database_url,
            kafka_bootstrap_servers=bootstrap,
            kafka_topic_prefix=prefix,
            internal_jwt_secret="s" * 40,
            **more,  # type: ignore[arg-type]
        )

    async def test_a_service_told_not_to_creates_no_topic(
        self,
        kafka_bootstrap_servers: str,
        database_url: str,
        engine: AsyncEngine,
        topic_prefix: str,
        admin: AIOKafkaAdminClient,
    ) -> None:
        settings = self.settings(
            kafka_bootstrap_servers, database_url, topic_prefix, kafka_auto_create_topics=False
        )
        async with ServiceRuntime(settings):
            pass
        assert not [t for t in await admin.list_topics() if t.startswith(topic_prefix)]

    async def test_a_service_creates_missing_topics_with_the_configured_layout(
        self,
        kafka_bootstrap_servers: str,
        database_url: str,
        engine: AsyncEngine,
        topic_prefix: str,
        admin: AIOKafkaAdminClient,
    ) -> None:
        settings = self.settings(
            kafka_bootstrap_servers,
            database_url,
            topic_prefix,
            kafka_topic_partitions=4,
            kafka_topic_replication_factor=2,
        )
        async with ServiceRuntime(settings):
            pass
        report = await reconcile(
            KafkaConnection(kafka_bootstrap_servers),
            platform_topics(topic_prefix),
            TopicLayout(4, 2),
            create=False,
        )
        assert report.ok, report.differing
