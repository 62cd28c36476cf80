"""Content compliance: the content findings in titles, detail pages, live
transcripts, chats and captions, and the violations they become on a pack.

    from zhili.detect.content import scan, violations_for
    scan("3天瘦十斤，加薇❤信 abc_123", category="food")
"""

from .lexicon import FINDINGS, Lexicon, load_lexicon, parse_lexicon
from .normalize import normalize
from .scanner import Finding, scan, scan_many
from .violations import violations_for

__all__ = ["FINDINGS", "Finding", "Lexicon", "load_lexicon", "normalize", "parse_lexicon",
           "scan", "scan_many", "violations_for"]
