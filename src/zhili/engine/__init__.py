"""The engine: a pure, deterministic fold from events to decisions, read as of any instant."""

from .fold import ComponentFold, OutOfOrder, register_mechanism
from .ledger import Fold, Ledger, SubjectState, replay
from .records import (
    AppealState,
    Decision,
    Explanation,
    Hold,
    Notice,
    Sanction,
    ViolationRecord,
)
from .subjects import Subject

__all__ = [
    "AppealState", "ComponentFold", "Decision", "Explanation", "Fold", "Hold", "Ledger",
    "Notice", "OutOfOrder", "Sanction", "Subject", "SubjectState", "ViolationRecord",
    "register_mechanism", "replay",
]
