"""Impact analysis: the same history under two rule sets, and what differs (``zhili impact``).

:mod:`zhili.impact.diff` compares two folds' results (see its docstring for the API);
:mod:`zhili.impact.compare` folds a history under both rule sets and compares them.
"""

from .compare import Impact, RuleSet, compare
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

__all__ = ["Change", "DecisionChange", "Impact", "RuleSet", "Standing", "SubjectDiff", "Summary",
           "compare", "diff_decisions", "diff_subject", "rule_changes", "standing"]
