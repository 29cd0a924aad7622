"""The platform's topics as a cluster needs them: ``python -m localrights.topics ensure|check``.

``ensure`` creates every topic of the event registry and its dead-letter topic that does
not exist yet, with the partitions, replication factor and ``min.insync.replicas`` given,
and reports every existing topic whose layout differs; ``check`` only reports (a missing
topic counts as differing). Neither changes an existing topic: adding partitions moves keys
to other partitions (one aggregate's events would lose their order), and a replication
factor is changed by reassigning replicas, both an operator's decision. The exit status is
0 when every topic is as asked, 1 when one is missing or differs, 2 when the cluster could
not be asked (the message says why).

The layout defaults to the ``KAFKA_TOPIC_*`` settings, the broker connection (TLS, SASL) to
the ``KAFKA_*`` ones, as in the services (secrets also from ``*_FILE``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError, for_code

from localrights.kafka import (
    KafkaConnection,
    create_admin,
    kafka_connection,
    platform_topics,
    verify_kafka_access,
)
from localrights.kafka_settings import KafkaSettings
from localrights.secret_files import SettingsError
from localrights.settings import load_settings


@dataclass(frozen=True)
class TopicLayout:
    """What every platform topic should have."""

    partitions: int
    replication_factor: int
    configs: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{self.partitions} partitions", f"replication factor {self.replication_factor}"]
        return ", ".join(parts + [f"{k}={v}" for k, v in sorted(self.configs.items())])


@dataclass(frozen=True)
class TopicState:
    """What the cluster has for one topic."""

    partitions: int
    replication_factors: frozenset[int]
    configs: Mapping[str, str]


def differences(state: TopicState, layout: TopicLayout) -> list[str]:
    """How a topic differs from the layout, in words; empty when it does not."""
    found = []
    if state.partitions != layout.partitions:
        found.append(f"{state.partitions} partitions (want {layout.partitions})")
    if state.replication_factors != {layout.replication_factor}:
        factors = "/".join(str(n) for n in sorted(state.replication_factors)) or "no replicas"
        found.append(f"replication factor {factors} (want {layout.replication_factor})")
    for key, wanted in sorted(layout.configs.items()):
        have = state.configs.get(key)
        if have != wanted:
            found.append(f"{key}={have if have is not None else 'unset'} (want {wanted})")
    return found


@dataclass
class TopicReport:
    """One run's findings, topic by topic."""

    created: list[str] = field(default_factory=list)
    as_wanted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    differing: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.differing or self.failed)

    def lines(self, layout: TopicLayout) -> list[str]:
        out = [f"created  {name} ({layout.describe()})" for name in self.created]
        out += [f"ok       {name}" for name in self.as_wanted]
        out += [f"MISSING  {name}" for name in self.missing]
        out += [f"DIFFERS  {name}: {'; '.join(why)}" for name, why in self.differing.items()]
        out += [f"FAILED   {name}: {why}" for name, why in self.failed.items()]
        total = len(self.created) + len(self.as_wanted) + len(self.missing)
        total += len(self.differing) + len(self.failed)
        out.append(
            f"{total} topics: {len(self.created)} created, {len(self.as_wanted)} as wanted, "
            f"{len(self.missing)} missing, {len(self.differing)} differing, "
            f"{len(self.failed)} failed"
        )
        return out


async def reconcile(
    kafka: KafkaConnection, topics: Sequence[str], layout: TopicLayout, *, create: bool
) -> TopicReport:
    """Create (when ``create``) what is missing and compare the rest with ``layout``."""
    admin = create_admin(kafka)
    await admin.start()
    try:
        report = TopicReport()
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if create and missing:
            report.failed = await _create(admin, missing, layout)
            report.created = [t for t in missing if t not in report.failed]
        elif missing:
            report.missing = missing
        present = [t for t in topics if t in existing]
        for name, state in (await _states(admin, present)).items():
            found = differences(state, layout)
            if found:
                report.differing[name] = found
            else:
                report.as_wanted.append(name)
        return report
    finally:
        await admin.close()


async def _create(
    admin: AIOKafkaAdminClient, topics: Sequence[str], layout: TopicLayout
) -> dict[str, str]:
    """Create ``topics``; the ones the cluster refused, with its reason."""
    response = await admin.create_topics(
        [
            NewTopic(
                t,
                layout.partitions,
                layout.replication_factor,
                topic_configs=dict(layout.configs),
            )
            for t in topics
        ]
    )
    failed = {}
    for name, code, *rest in response.topic_errors:
        error = for_code(code)
        if code != 0 and error is not TopicAlreadyExistsError:  # a replica made it first
            message = rest[0] if rest and rest[0] else error.__name__
            failed[name] = str(message)
    return failed


async def _states(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> dict[str, TopicState]:
    if not topics:
        return {}
    described = await admin.describe_topics(list(topics))
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in topics]
    )
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for _code, _message, _kind, name, entries, *_ in response.resources:
            configs[name] = {entry[0]: entry[1] for entry in entries}
    return {
        topic["topic"]: TopicState(
            partitions=len(topic["partitions"]),
            replication_factors=frozenset(len(p["replicas"]) for p in topic["partitions"]),
            configs=configs.get(topic["topic"], {}),
        )
        for topic in described
    }


def _parser(defaults: KafkaSettings | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m localrights.topics", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("command", choices=("ensure", "check"))

    def default(value: Any) -> dict[str, Any]:
        return {"default": value} if value is not None else {}

    parser.add_argument(
        "--partitions",
        type=int,
        help="partitions per topic (default KAFKA_TOPIC_PARTITIONS)",
        **default(defaults and defaults.kafka_topic_partitions),
    )
    parser.add_argument(
        "--replication-factor",
        type=int,
        help="replicas per partition (default KAFKA_TOPIC_REPLICATION_FACTOR)",
        **default(defaults and defaults.kafka_topic_replication_factor),
    )
    parser.add_argument(
        "--min-insync-replicas",
        type=int,
        help="min.insync.replicas of each topic (default KAFKA_TOPIC_MIN_INSYNC_REPLICAS)",
        **default(defaults and defaults.kafka_topic_min_insync_replicas),
    )
    parser.add_argument(
        "--prefix",
        help="topic name prefix (default KAFKA_TOPIC_PREFIX)",
        default=defaults.kafka_topic_prefix if defaults else "",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="retry for this long while the cluster does not answer (check: or differs)",
    )
    return parser


async def _run(args: argparse.Namespace, kafka: KafkaConnection) -> int:
    configs = {}
    if args.min_insync_replicas is not None:
        configs["min.insync.replicas"] = str(args.min_insync_replicas)
    layout = TopicLayout(args.partitions, args.replication_factor, configs)
    topics = platform_topics(args.prefix)
    create = args.command == "ensure"
    deadline = time.monotonic() + args.wait
    while True:
        try:
            await verify_kafka_access(kafka)
            report = await reconcile(kafka, topics, layout, create=create)
        except SettingsError:
            raise
        except Exception as exc:  # the cluster did not answer
            if time.monotonic() < deadline:
                await asyncio.sleep(2)
                continue
            sys.stderr.write(f"could not reach the cluster at {kafka.bootstrap_servers}: {exc!r}\n")
            return 2
        if report.ok or create or time.monotonic() >= deadline:
            break
        await asyncio.sleep(2)
    sys.stdout.write("".join(f"{line}\n" for line in report.lines(layout)))
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    settings: KafkaSettings | None
    try:
        settings = load_settings(KafkaSettings)
    except SettingsError as exc:
        settings, problem = None, exc
    args = _parser(settings).parse_args(argv)  # --help works without settings
    try:
        if settings is None:
            raise problem
        return asyncio.run(_run(args, kafka_connection(settings)))
    except SettingsError as exc:
        sys.stderr.write(f"localrights.topics: {exc}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
