"""Wire models: the JSON the API reads and writes, kept apart from the domain types.

The domain may grow fields; the wire changes only on purpose. Converters from domain objects
live in ``wire.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ..events import EVENT_TYPES, MAX_TEXT_CHARS
from .limits import (
    MAX_CLIENT_ID_CHARS,
    MAX_LIST_ITEMS,
    MAX_ORDER_ROWS,
    MAX_SHORT_TEXT,
    MAX_SUBJECT_CHARS,
)

EventType = Literal[tuple(sorted(EVENT_TYPES))]  # type: ignore[valid-type]
Role = Literal["admin", "reviewer", "merchant"]
Money = float  # CNY; amounts in the rules are whole yuan or cents, exact in a double
SubjectId = Annotated[str, Field(min_length=1, max_length=MAX_SUBJECT_CHARS)]
Short = Annotated[str, Field(max_length=MAX_SHORT_TEXT)]
Shorts = Annotated[list[Short], Field(max_length=MAX_LIST_ITEMS)]
Instant = Annotated[str, Field(max_length=64, description=(
    "a date-time in the years 2000-2100, local to the pack's zone unless it has an offset"))]


class EventIn(BaseModel):
    """One event (docs/events.md); type-specific fields sit beside these."""

    model_config = ConfigDict(extra="allow", json_schema_extra={
        "examples": [{"id": "v1", "type": "violation", "at": "2026-03-02 10:00",
                      "subject": "c1", "code": "false_health_claim", "item": "sku-9"}]})
    type: EventType  # type: ignore[valid-type]  # built from the event registry
    at: Instant | None = Field(None, description=(
        "local to the pack's zone unless it carries an offset; the server's clock when "
        "omitted. A merchant's events always take the server's clock: a given `at` more than "
        "the allowed skew away from it is refused"))
    subject: SubjectId | None = None
    id: str | None = Field(None, min_length=1, max_length=MAX_CLIENT_ID_CHARS, description=(
        "deterministic from the content when omitted; a merchant's ids are stored under its "
        "own namespace, `merchant:SUBJECT:ID`"))


class IngestOut(BaseModel):
    stored: list[str]
    duplicates: list[str]


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pack: Short
    kind: Literal["creator", "store"] | None = None
    deposit: Money | None = Field(None, ge=0, le=1e12)
    base_deposit: Money | None = Field(None, ge=0, le=1e12)
    main: StrictBool = False
    licence: Short | None = None
    legal_rep: Short | None = None
    devices: Shorts = []
    ips: Shorts = []
    registered_warehouses: Shorts = []
    categories: Shorts = []


class SubjectOut(BaseModel):
    id: str
    pack: str
    kind: str


class SanctionOut(BaseModel):
    name: str
    kind: str
    scope: str | None
    start: str
    end: str | None = Field(description="null: permanent, or until a condition or band exit")
    lasts: Literal["timed", "permanent", "while in band", "while below threshold"] | str
    rule: str
    cause: str | None


class HoldOut(BaseModel):
    account: str
    amount: Money | None = Field(description="null: the whole account")
    start: str
    end: str | None
    until: str | None = Field(description="a condition that releases the hold")
    rule: str
    cause: str | None


class ViolationOut(BaseModel):
    id: str
    code: str
    at: str
    item: str | None = None
    scope: str | None = None


class NoticeOut(BaseModel):
    kind: str
    at: str
    rule: str | None = None
    cause: str | None = None


class AppealOut(BaseModel):
    id: str
    subject: str
    violation: str
    status: Literal["open", "awaiting_material", "granted", "denied", "lapsed", "rejected_late"]
    filed_at: str
    due: str | None
    due_assumed_weekdays: bool = Field(
        description="the deadline passes days the working-day calendar has no data for")
    material_due: str | None = Field(None, description="answer the material request by then")
    complex: bool = False


class StateOut(BaseModel):
    subject: str
    pack: str
    version: str
    as_of: str
    scores: dict[str, float]
    band: str | None
    fees: Money
    held: dict[str, Money | bool]
    holds: list[HoldOut]
    sanctions: list[SanctionOut]
    violations: list[ViolationOut]
    notices: list[NoticeOut]
    appeals: list[AppealOut]


class ExplanationOut(BaseModel):
    rule: str
    source: str | None
    assumption: str | None
    inputs: dict[str, Any]
    text: str
    # The decision as the platform's notice would word it, with names for codes, in the
    # request's language (``text`` is the engine's own English sentence).
    notice: str | None = None


class DecisionOut(BaseModel):
    id: str
    at: str
    subject: str
    kind: str
    rule: str
    pack: str
    version: str
    cause: str | None
    detail: dict[str, Any]
    explanation: ExplanationOut


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: SubjectId
    violation: str = Field(max_length=MAX_SHORT_TEXT,
                           description="the id of the appealed violation or determination")
    complex: StrictBool = Field(False, description="a legal dispute: 15 working days, not 5")
    materials: Shorts = []
    at: Instant | None = Field(None, description=(
        "when it was filed; the server's clock if omitted. A merchant may not choose it: "
        "a time more than the allowed skew from the server's clock is refused"))


class AppealStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: Instant | None = Field(None, description=(
        "the server's clock if omitted; a merchant's must lie within the allowed skew of it"))


class AppealDecisionIn(AppealStepIn):
    outcome: Literal["granted", "denied"]


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=MAX_TEXT_CHARS)
    pack: Short | None = None
    category: Short | None = None
    channel: Literal["title", "detail", "live", "chat", "video"] | None = None
    # Whose text: the seller's own copy (the Advertising Law binds it) or a buyer's review
    # (only contact and spam rules apply).
    source: Literal["seller", "review"] = "seller"


class FindingOut(BaseModel):
    finding: str
    name: str = Field(description="the finding's name, in the request's language")
    start: int
    end: int
    text: str = Field(description="the matched text, as it stands in the scanned text")
    term: str = Field(description="the lexicon's term, or a pattern's code such as "
                                  "`<wechat_id>` where a pattern matched")
    term_name: str = Field(description="the term as a person reads it: the term itself, or "
                                       "what a pattern matched (微信号 / WeChat ID)")
    rule: str | None
    rule_name: str | None = Field(None, description="the pack rule's name, when mapped")
    provenance: str | None = None


class ScanOut(BaseModel):
    findings: list[FindingOut]


class KeyOut(BaseModel):
    id: str
    role: Role
    subject: str | None


class OrdersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pack: Short
    as_of: Instant = Field(description="assess the days that ended by this instant; a date "
                                       "alone means the end of that day")
    orders: list[dict[str, Any]] = Field(description="rows with the columns of the order "
                                         "table (docs/orders.md)", max_length=MAX_ORDER_ROWS)
    record: StrictBool = Field(False, description="store the violations found (admin keys only)")


class OrdersOut(BaseModel):
    as_of: str = Field(description="the instant assessed (a date alone: the end of that day)")
    violations: list[dict[str, Any]]
    stored: list[str] = []
    duplicates: list[str] = []


class CandidateIn(BaseModel):
    """A candidate rule set: a pack version, a drafted pack file's text, or parameter overrides
    (alone or on top of the version or the file), as ``zhili impact`` takes them."""

    model_config = ConfigDict(extra="forbid")
    version: Short | None = Field(None, description="a version of the pack")
    pack_file: str | None = Field(None, max_length=1_000_000, description=(
        "the text of a drafted pack file (YAML), validated like any pack"))
    file: Short | None = Field(None, description="the drafted file's name, for people")
    params: dict[Short, Any] = Field({}, max_length=MAX_LIST_ITEMS, description=(
        "parameter overrides by dotted name, as `zhili replay --param` takes them"))


class ShadowIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "per-entry-fees", "pack": "wechat_channels",
         "candidate": {"params": {"bands.fee_mode": "per_entry"}}}]})
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                    description="the shadow's own id: letters, digits, _ . -")
    pack: Short = Field(description="the live pack it shadows")
    candidate: CandidateIn


class ShadowOut(BaseModel):
    id: str
    pack: str
    kind: Literal["version", "pack_file", "params"]
    version: str | None = None
    file: str | None = Field(None, description="a drafted pack file's name (its text is kept)")
    params: dict[str, Any] = {}
    created: str | None


class ShadowComparisonOut(BaseModel):
    """The shadow against the live rules over the same stored events (docs/shadow.md)."""

    shadow: str
    pack: str
    as_of: str
    events_seq: int = Field(description="the last stored event both folds hold")
    changes: list[dict[str, Any]] = Field(description="parameters that differ, both values "
                                          "with their provenance")
    summary: dict[str, Any] = Field(description="the population view, as `zhili impact` gives")
    subjects: list[dict[str, Any]] = Field(description="every subject that fares differently, "
                                           "with the decisions that differ and their causes")
    timeline: list[dict[str, Any]] = Field(description="the population view at earlier "
                                           "instants, the last one `as_of`")


class Problem(BaseModel):
    """A refusal with its reason (401, 403, 404, 413)."""

    detail: str


class Refusal(BaseModel):
    loc: list[str | int] = Field(description="where: body, query or path, then the field")
    msg: str = Field(description="what was expected, and what was given")
    type: str


class Refusals(BaseModel):
    """A 422: every invalid field with its place and reason."""

    detail: list[Refusal]
