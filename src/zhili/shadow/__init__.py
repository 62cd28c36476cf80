"""Shadow evaluation: a candidate rule set folded beside the live pack, with no effect on anyone.

    shadows = Shadows(store, clock)
    shadows.add("nrd8", "aliexpress", {"params": {"...": 0.08}})
    comparison = shadows.compare("nrd8", as_of)      # zhili.impact.diff over the stored events

See ``docs/shadow.md``.
"""

from .candidate import Candidate
from .service import Comparison, Point, Shadow, Shadows, UnknownShadow

__all__ = ["Candidate", "Comparison", "Point", "Shadow", "Shadows", "UnknownShadow"]
