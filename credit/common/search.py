"""Finding a unit by what a person types: its name, part of it, or its 拼音 (initials or full).

Why: a picker of 5,000 options hangs a browser tab, so a large group is searched on the server
and only a short list of matches is sent. Typing "孝直", "xzz", "xiaozhi" or the unit's code
all find 孝直镇. Polyphonic characters (长 cháng/zhǎng, 行 háng/xíng) match on every reading, so
a name is never missed because the dictionary guessed the other one.

Matches are ordered by how well they fit (exact name, name prefix, part of the name, 拼音
initials, full 拼音, code), and within one kind by the order the names were given (the ranking).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import Style, pinyin

_MAX_VARIANTS = 16  # readings per name kept for polyphonic characters (each one a full string)
_SEP = "\x1f"  # joins a name's readings into one string: a query never spans two readings


@lru_cache(maxsize=20_000)
def _readings(char: str, style: Style) -> tuple[str, ...]:
    """Every reading of one character in `style` (lower case); a non-Chinese character is itself."""
    if not ("\u3400" <= char <= "\u9fff"):
        return (char.lower(),)
    found = pinyin(char, style=style, heteronym=True, errors="ignore")
    options = tuple(dict.fromkeys(p.lower() for p in found[0])) if found and found[0] else ()
    return options or (char,)


def spellings(name: str, style: Style) -> str:
    """The name's readings in `style`, joined by a separator (at most `_MAX_VARIANTS` of them).

    spellings("孝直镇", Style.FIRST_LETTER) == "xzz". Per character, not per phrase: a phrase
    dictionary picks one reading where every reading should find the name.
    """
    per_char = [_readings(c, style) for c in name if not c.isspace()]
    variants: list[str] = []
    for combo in itertools.islice(itertools.product(*per_char), _MAX_VARIANTS):
        variants.append("".join(combo))
    return _SEP.join(variants)


@dataclass(frozen=True)
class NameIndex:
    """Units (id → name) in a fixed order, searchable by name, 拼音 and id.

    Built once per group and data version (a few ms per thousand names); `find` is a handful of
    substring tests per name.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    _initials: tuple[str, ...] = field(repr=False, default=())
    _full: tuple[str, ...] = field(repr=False, default=())

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, str]]) -> NameIndex:
        items = list(pairs)
        ids = tuple(str(i) for i, _ in items)
        names = tuple(str(n) for _, n in items)
        return cls(ids, names, tuple(spellings(n, Style.FIRST_LETTER) for n in names),
                   tuple(spellings(n, Style.NORMAL) for n in names))

    def __len__(self) -> int:
        return len(self.ids)

    def has(self, id_or_name: str) -> bool:
        """Whether a unit of this index has that id or that name (how links name a unit)."""
        return id_or_name in self.ids or id_or_name in self.names

    def find(self, query: str, limit: int | None = None) -> list[str]:
        """Ids of the units matching `query`, best kind of match first; [] for a blank query."""
        q = "".join(query.split())
        if not q:
            return []
        low = q.lower()
        ascii_query = low.isascii()
        tiers: list[list[str]] = [[] for _ in range(6)]
        for uid, name, ini, full in zip(self.ids, self.names, self._initials, self._full, strict=True):
            if name == q:
                tiers[0].append(uid)
            elif name.startswith(q):
                tiers[1].append(uid)
            elif q in name:
                tiers[2].append(uid)
            elif ascii_query and low in ini:
                tiers[3].append(uid)
            elif ascii_query and low in full:
                tiers[4].append(uid)
            elif low in uid.lower():
                tiers[5].append(uid)
        found = [uid for tier in tiers for uid in tier]
        return found if limit is None else found[:limit]

    def options(self, matches: Sequence[str] | None, keep: str | None, limit: int) -> list[str]:
        """What a picker offers: the first `limit` of `matches` (of all units, in order, when there
        is no search), with `keep` — the unit on show — always among them (first if not listed)."""
        shown = list((self.ids if matches is None else matches)[:limit])
        if keep is not None and keep in self.ids and keep not in shown:
            shown = [keep, *shown]
        return shown


def count_note(total: int, matches: Sequence[str] | None, query: str, limit: int) -> str:
    """The line under a unit search (Chinese): how many units matched and how many are listed."""
    if matches is None:
        return (f"共 {total:,} 个单位，下拉框列出排名前 {min(limit, total)} 个；"
                "输入名称、名称的一部分或拼音首字母可查找其他单位。")
    q = query.strip()
    if not matches:
        return f"没有找到与「{q}」匹配的单位。"
    more = f"，下拉框列出前 {limit} 个" if len(matches) > limit else ""
    return f"找到 {len(matches):,} 个与「{q}」匹配的单位{more}。"
