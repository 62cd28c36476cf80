"""``python -m zhili.i18n update|check``: see :mod:`zhili.i18n.tooling`."""

from __future__ import annotations

import sys

from .language import LANGUAGES
from .tooling import extract, problems, read, update


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        for tag, missing in update().items():
            print(f"{tag}: {missing} untranslated")
        return 0
    if argv == ["check"]:
        template = extract()
        bad = 0
        for tag, (folder, _own) in LANGUAGES.items():
            if folder is None:
                continue
            for problem in problems(read(tag), template):
                print(f"{tag}: {problem}")
                bad += 1
        return 1 if bad else 0
    print("usage: python -m zhili.i18n update|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
