"""What a superlative describes: the goods, or something else.

SAMR's guideline defines an absolute term as one saying that the goods or the service rank
highest among their kind. A superlative about something else rates no goods: the best
dermatology hospital in town, the busiest snack street nearby, the best building or room of the
seller's own range (which compares the seller's goods with one another), the best time of year.
Without a parse, the thing described is read from nouns, in the squeezed view of one clause:

- attributive (最好的皮肤病医院): the first listed noun at most ``reach`` characters after the
  superlative;
- predicative (商场……算济南最好的。): when only particles (的, 了, 之一 …) follow the superlative up to
  the end of its clause, the last listed noun before it in the clause.

The nouns come in two lists: ``others`` (not the goods) and ``goods`` (the goods, the shop, the
hotel). Both are found in one pass, so the nearest noun decides: 最好的酒店附近的医院 is about the
hotel. A superlative with no listed noun near it stays a claim, and so does one placed after a
word that locates the goods (``located``: 位于, 位置在 … 最繁华的十全街上): where the goods stand is
said of the goods."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import cues


class Subjects:
    def __init__(self, spec: Mapping[str, Any]):
        others, goods = cues.words(spec, "others"), cues.words(spec, "goods")
        self.others = frozenset(others)
        self.cue = cues.cue(others + goods)
        self.located = cues.cue(cues.words(spec, "located"))
        self.reach = int(spec.get("reach", 8))
        self.particles = frozenset("".join(cues.words(spec, "particles")))

    def elsewhere(self, squeezed: str, nouns: cues.Spans, clause: int, s: int, e: int,
                  clause_end: int) -> bool:
        """The superlative at squeezed ``[s, e)``, in the clause ``[clause, clause_end)``,
        describes one of ``others``."""
        if nouns is None:
            return False
        starts, ends = nouns
        k = cues.first_after(nouns, e)
        if k is not None and starts[k] < clause_end and starts[k] - e <= self.reach:
            return squeezed[starts[k]:ends[k]] in self.others
        if any(c not in self.particles for c in squeezed[e:clause_end]):
            return False
        k = cues.last_before(nouns, s)
        return k is not None and starts[k] >= clause and squeezed[starts[k]:ends[k]] in self.others
