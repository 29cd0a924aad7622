"""Versioning: committed snapshots, the compatibility check, tolerant and versioned readers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from pydantic import Field

from localrights.events import CONSULTATION_EVENTS, Envelope, new_event, parse_payload
from localrights.events.catalog.consultation import ConsultationClosed
from localrights.events.compat import (
    REFRESH_COMMAND,
    ChangeKind,
    check,
    check_model,
    main,
    orphan_snapshots,
    snapshot_path,
    write_snapshots,
)
from localrights.events.registry import EventPayload, EventType, UnknownEventType, register


class TestCommittedSnapshots:
    def test_every_registered_version_matches_its_snapshot(self) -> None:
        problems = [finding.explain() for finding in check() if not finding.ok]
        assert not problems, "\n".join(problems)

    def test_no_snapshot_outlives_its_version(self) -> None:
        assert orphan_snapshots() == []

    def test_the_command_line_check_passes_on_the_committed_tree(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main([]) == 0
        assert "match their snapshots" in capsys.readouterr().out


# Models standing for edits an engineer might make to ConsultationClosed (same type, v1).
class FieldRemoved(EventPayload):
    consultation_id: UUID
    institution_id: UUID
    closed_at: datetime
    closed_by_schedule: bool = False


class FieldRetyped(EventPayload):
    consultation_id: UUID
    institution_id: UUID
    closed_at: datetime
    response_count: str
    closed_by_schedule: bool = False


class FieldWidenedToNull(EventPayload):
    consultation_id: UUID
    institution_id: UUID
    closed_at: datetime
    response_count: int | None
    closed_by_schedule: bool = False


class FieldMadeRequired(EventPayload):
    consultation_id: UUID
    institution_id: UUID
    closed_at: datetime
    response_count: int
    closed_by_schedule: bool


class RequiredFieldAdded(EventPayload):
    consultation_id: UUID
    institution_id: UUID
    closed_at: datetime
    response_count: int
    closed_by_schedule: bool = False
    reason: str


class OptionalFieldAdded(EventPayload):
    consultation_id: UUID
    institution_id: UUID
    closed_at: datetime
    response_count: int
    closed_by_schedule: bool = False
    reason: str | None = Field(default=None, description="Why it closed early")


class DescribedDifferently(EventPayload):
    """Only the words changed."""

    consultation_id: UUID
    institution_id: UUID
    closed_at: datetime
    response_count: int = Field(description="Responses counted when it closed")
    closed_by_schedule: bool = Field(default=False, description="Closed at its closing time")


class TestTheCompatibilityCheck:
    @pytest.fixture
    def snapshots(self, tmp_path: Path) -> Path:
        """A snapshot directory holding consultation.closed v1 as committed."""
        committed = snapshot_path("consultation.closed", 1)
        snapshot_path("consultation.closed", 1, tmp_path).write_text(committed.read_text())
        return tmp_path

    @pytest.mark.parametrize(
        ("model", "path", "what"),
        [
            (FieldRemoved, "$.response_count", "field removed"),
            (FieldRetyped, "$.response_count", "type changed"),
            (FieldWidenedToNull, "$.response_count", "type changed"),
            (FieldMadeRequired, "$.closed_by_schedule", "field made required"),
            (RequiredFieldAdded, "$.reason", "required field added"),
        ],
    )
    def test_an_incompatible_change_without_a_version_bump_fails(
        self, snapshots: Path, model: type[EventPayload], path: str, what: str
    ) -> None:
        finding = check_model("consultation.closed", 1, model, snapshots)
        assert finding.status == "breaking"
        assert any(
            c.kind is ChangeKind.BREAKING and c.path == path and c.what.startswith(what)
            for c in finding.changes
        ), finding.explain()
        assert "bump the event's version" in finding.explain()

    def test_the_same_change_passes_once_the_version_is_bumped(self, snapshots: Path) -> None:
        bumped = EventType(
            type="consultation.closed",
            topic=CONSULTATION_EVENTS,
            key="consultation_id",
            version=2,
            model=FieldRetyped,
            description="A consultation stopped taking responses.",
            example=FieldRetyped(
                consultation_id=uuid4(),
                institution_id=uuid4(),
                closed_at=datetime.now(UTC),
                response_count="200",
            ),
            producer="consultation",
            older_versions={1: ConsultationClosed},
            older_examples={1: ConsultationClosed.model_validate(_closed_data())},
        )
        findings = {f.version: f.status for f in check([bumped], snapshots)}
        assert findings == {1: "ok", 2: "new"}

    def test_adding_an_optional_field_is_compatible_and_asks_for_a_refresh(
        self, snapshots: Path
    ) -> None:
        finding = check_model("consultation.closed", 1, OptionalFieldAdded, snapshots)
        assert finding.status == "compatible"
        assert [(c.kind, c.path) for c in finding.changes] == [(ChangeKind.COMPATIBLE, "$.reason")]
        assert REFRESH_COMMAND in finding.explain()

    def test_write_refreshes_compatible_snapshots_and_refuses_breaking_ones(
        self, tmp_path: Path
    ) -> None:
        assert write_snapshots(tmp_path) == []  # every registered version written
        written = snapshot_path("consultation.closed", 1, tmp_path)
        assert check_model("consultation.closed", 1, ConsultationClosed, tmp_path).ok
        before = written.read_text()
        broken = EventType(
            type="consultation.closed",
            topic=CONSULTATION_EVENTS,
            key="consultation_id",
            version=1,
            model=FieldRemoved,
            description="-",
            example=FieldRemoved(
                consultation_id=uuid4(), institution_id=uuid4(), closed_at=datetime.now(UTC)
            ),
            producer="consultation",
        )
        assert [f.status for f in check([broken], tmp_path)] == ["breaking"]
        assert written.read_text() == before

    def test_a_description_edit_changes_no_type_but_needs_a_refresh(self, snapshots: Path) -> None:
        finding = check_model("consultation.closed", 1, DescribedDifferently, snapshots)
        assert finding.status == "compatible"
        assert finding.changes == ()


def _closed_data() -> dict[str, object]:
    return {
        "consultation_id": str(uuid4()),
        "institution_id": str(uuid4()),
        "closed_at": "2026-03-31T22:00:00Z",
        "response_count": 12,
    }


class TestReaders:
    def test_a_consumer_ignores_fields_added_after_it_was_built(self) -> None:
        envelope = new_event(
            ConsultationClosed.model_validate(_closed_data()), source="/consultation"
        )
        newer = envelope.model_copy(update={"data": {**envelope.data, "reason": "early"}})
        payload = parse_payload(Envelope.model_validate_json(newer.to_json_bytes()))
        assert isinstance(payload, ConsultationClosed)
        assert payload.response_count == 12

    def test_a_version_the_registry_does_not_declare_is_refused(self) -> None:
        envelope = new_event(
            ConsultationClosed.model_validate(_closed_data()), source="/consultation"
        )
        future = envelope.model_copy(
            update={"dataschema": "urn:localrights:event:consultation.closed:v2"}
        )
        with pytest.raises(UnknownEventType):
            parse_payload(future)

    def test_an_older_version_is_read_with_its_own_model(self) -> None:
        older = ConsultationClosed.model_validate(_closed_data())
        event_type = EventType(
            type="consultation.closed",
            topic=CONSULTATION_EVENTS,
            key="consultation_id",
            version=2,
            model=FieldRetyped,
            description="-",
            example=FieldRetyped(
                consultation_id=uuid4(),
                institution_id=uuid4(),
                closed_at=datetime.now(UTC),
                response_count="many",
            ),
            producer="consultation",
            older_versions={1: ConsultationClosed},
            older_examples={1: older},
        )
        assert event_type.versions == [1, 2]
        assert event_type.model_for(1) is ConsultationClosed
        assert event_type.example_for(1) is older
        with pytest.raises(UnknownEventType):
            event_type.model_for(3)

    def test_an_older_version_must_come_with_an_example(self) -> None:
        event_type = EventType(
            type=f"test.unregistered_{uuid4().hex[:6]}",
            topic=CONSULTATION_EVENTS,
            key="consultation_id",
            version=2,
            model=ConsultationClosed,
            description="-",
            example=ConsultationClosed.model_validate(_closed_data()),
            producer="consultation",
            older_versions={1: FieldRemoved},
        )
        with pytest.raises(ValueError, match="needs an example"):
            register(event_type)
