"""Impact analysis: the same history under two rule sets, and what differs (``zhili impact``).

:mod:`zhili.impact.diff` compares two folds' results; see its docstring for the API.
"""

from .diff import (
    Change,
    DecisionChange,
    Standing,
    SubjectDiff,
    Summary,
    diff_decisions,
    diff_subject,
    rule_changes,
    standing,
)

__all__ = ["Change", "DecisionChange", "Standing", "SubjectDiff", "Summary", "diff_decisions",
           "diff_subject", "rule_changes", "standing"]
