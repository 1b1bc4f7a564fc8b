"""The registry of the numbers the course states, and the checks that keep each one true.

Every number a lesson's text states (a notebook's markdown, a one-pager, an exercise) has an
entry here: its name, its value as the code computes it, how the text displays it and where the
text cites it. ``tests/test_stated_numbers.py`` then requires of every entry that

- its display is no tie: the value is not within a relative 1e-6 of a rounding boundary;
- it is CPU-proof: recomputed five times as another CPU might compute it (every sum of the core
  in another order and the last bits of its results jittered, ``other_last_bits``), it displays
  the same, and the recomputation did reach the core's arithmetic (not a cached result); entries
  whose digits cannot depend on the machine say why in ``exact`` instead;
- a reading decided by a comparison (an argmin, the first step past a threshold) gives its
  ``margin``, how far it was from reading otherwise, and that margin is no tie either (a value
  that comes out bit for bit the same in every recomputation is such a reading);
- it appears in every file it cites,

and of every numeral in the texts that it is registered for that file or on the short allow-list
of :mod:`gdcourse.stated.numerals`. One module per lesson (named like the lesson's module in
``gdcourse.lessons``) declares ``NUMBERS``. Authors: ``python -m gdcourse.stated`` lists what is
missing or wrong; ``docs/authoring.md`` says how to add an entry.
"""

from __future__ import annotations

import functools
import importlib
import json
import math
import numbers
import pkgutil
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.last_bits import other_last_bits, touched
from .numerals import ALLOWED, Numeral, normalise, numerals

__all__ = [
    "ALLOWED",
    "TIE",
    "Numeral",
    "Stated",
    "given",
    "normalise",
    "numerals",
    "problems",
    "registry",
    "stated",
    "texts",
    "unregistered",
]

#: A relative distance below which a number is "decided by a tie".
TIE = 1e-6

#: The texts whose numerals must be registered, relative to the course root.
TEXTS = ("notebooks/*.ipynb", "exercises/*.ipynb", "docs/lessons/*.md")

Format = str | Callable[[Any], str]


@dataclass(frozen=True)
class Stated:
    """One number the course states.

    Attributes
    ----------
    name : str
        Unique in the registry, e.g. ``"06 range test: blow-up rate"``.
    compute : callable
        ``() -> value``, computed by the course's own functions (never a typed-in result).
    formats : tuple
        How the text writes it: format specs such as ``".2f"`` or ``"#.2g"``, or callables
        ``value -> str``. The text may use any of them.
    cited : tuple of str
        The files that state it, relative to the course root (``notebooks/06_schedules.ipynb``).
    exact : str
        Why its digits cannot depend on the machine (a closed form, exact arithmetic on the
        lesson's inputs, a given); ``""``: it is recomputed as another CPU might instead.
    margin : callable or None
        For a reading decided by a comparison: ``() -> relative margin``, how far the inputs of
        the comparison were from deciding otherwise.
    used_by : str
        What else shows it, for a number no text cites (a check's offered choices, say).
    """

    name: str
    compute: Callable[[], Any]
    formats: tuple[Format, ...]
    cited: tuple[str, ...]
    exact: str = ""
    margin: Callable[[], float] | None = None
    used_by: str = ""

    def displays(self, value: Any = None) -> tuple[str, ...]:
        """The value as the text writes it, in each of the entry's formats."""
        value = self.compute() if value is None else value
        return tuple(_display(value, f) for f in self.formats)


def stated(
    name: str,
    compute: Callable[[], Any],
    formats: Format | tuple[Format, ...],
    *cited: str,
    exact: str = "",
    margin: Callable[[], float] | None = None,
    used_by: str = "",
) -> Stated:
    """Declare a number the text states: ``stated(name, compute, ".2f", "notebooks/...")``."""
    return Stated(name, compute, _as_tuple(formats), tuple(cited), exact, margin, used_by)


def given(name: str, value: Any, formats: Format | tuple[Format, ...], *cited: str) -> Stated:
    """Declare an input the text states (a start point, a rate, a size): exact by definition.

    Pass the constant the code uses (``schedules.W0``), so text and code cannot drift apart.
    """
    return Stated(name, lambda: value, _as_tuple(formats), tuple(cited), "a given of the lesson")


def _as_tuple(formats: Format | tuple[Format, ...]) -> tuple[Format, ...]:
    formats = formats if isinstance(formats, tuple) else (formats,)
    for fmt in formats:
        if isinstance(fmt, str) and not re.fullmatch(r"[,#]*(?:\.\d+[feg%]|,?d)", fmt):
            # "g" alone shows as many digits as it likes, so it has no precision to round at.
            raise ValueError(
                f"format {fmt!r} has no precision: use one such as '.2f', '#.2g', '.1e', '.0%' "
                f"or 'd' (for a whole number)"
            )
    return formats


def _display(value: Any, fmt: Format) -> str:
    return fmt(value) if callable(fmt) else format(value, fmt)


def _is_whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _shown_exactly(value: float, shown: str) -> bool:
    """Is ``shown`` the very double ``value`` (0.953125 as '0.953125'), nothing rounded?"""
    text = shown.replace(",", "").replace("\\,", "").strip()
    scale = 100.0 if text.endswith("%") else 1.0
    try:
        return float(text.rstrip("%")) == value * scale
    except ValueError:
        return False


def rounding_margin(value: float, fmt: Format) -> float:
    """The largest relative change (of 1e-1, 1e-2, ..., 1e-12) that leaves the display of
    ``value`` as it is: 0.0 if even 1e-12 changes it; ``inf`` for a whole number or a value the
    display shows exactly (nothing rounded).

    Examples
    --------
    >>> rounding_margin(0.2612, ".2f"), rounding_margin(0.25, ".2f")
    (0.01, inf)
    >>> rounding_margin(0.125, ".2f") < 1e-6  # 0.12 or 0.13: a tie
    True
    """
    if _is_whole(value):
        return math.inf
    value = float(value)
    shown = _display(value, fmt)
    if _shown_exactly(value, shown):
        return math.inf  # nothing was rounded, so no rounding can tie
    for k in range(1, 13):
        delta = 10.0**-k
        if all(_display(value * (1 + s * delta), fmt) == shown for s in (1, -1)):
            return delta
    return 0.0


def _clear_caches() -> None:
    """Forget every cached result of the course's functions (``functools.cache``)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("gdcourse") or module is None:
            continue
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)) and hasattr(obj, "cache_info"):
                obj.cache_clear()


#: The seeds of the recomputations (each jitters the last bits differently).
RECOMPUTE_SEEDS = (1, 2, 3, 4, 5)


def recompute(entry: Stated, seed: int = 1) -> tuple[Any, int]:
    """The entry's value computed afresh as another CPU might (:func:`other_last_bits`), and how
    many of the core's results that reordered or jittered (0: it never reached them)."""
    _clear_caches()
    try:
        with other_last_bits(seed):
            value = entry.compute()
            reached = touched()
    finally:
        _clear_caches()
    return value, reached


def _value_problem(entry: Stated, value: Any) -> str | None:
    """Why ``value`` cannot be a stated number of ``entry``, or None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"{entry.name}: its value must be a number, got {value!r}"
    if not math.isfinite(value):
        return f"{entry.name}: its value is {value!r}, not a finite number"
    for fmt in entry.formats:
        if isinstance(fmt, str) and fmt.endswith("d") and not _is_whole(value):
            return f"{entry.name}: format {fmt!r} needs a whole number (an int), got {value!r}"
    return None


def _recomputation_problems(entry: Stated, value: Any, seeds: tuple[int, ...]) -> list[str]:
    unmoved = True
    for seed in seeds:
        try:
            again, reached = recompute(entry, seed)
        except Exception as err:  # reported, like any other problem of the entry
            return [f"{entry.name}: recomputing it raised {type(err).__name__}: {err}"]
        if reached == 0:
            return [
                f"{entry.name}: recomputing it reached none of the core's arithmetic (a cached or "
                f"typed-in value?): compute it with the course's functions, or say why it is exact"
            ]
        if _value_problem(entry, again) or entry.displays(again) != entry.displays(value):
            return [
                f"{entry.name}: displays {entry.displays(value)} but {again!r} when computed as "
                f"another CPU might (sums in another order, other last bits): a tie decides it"
            ]
        unmoved = unmoved and again == value
    if unmoved and entry.margin is None:
        # Every input's last bits moved and the value did not: it is read off by comparisons
        # (an argmin, a count, a threshold), which only a margin shows to be far from a tie.
        return [
            f"{entry.name}: it comes out bit for bit the same whatever the last bits, so it is "
            f"read off by comparisons (an argmin, a count, a threshold): give its margin="
        ]
    return []


def problems(entry: Stated, seeds: tuple[int, ...] = RECOMPUTE_SEEDS) -> list[str]:
    """What is wrong with an entry, one sentence each (empty if nothing). ``seeds``: one
    recomputation per seed, as another CPU might compute it."""
    try:
        value = entry.compute()
    except Exception as err:  # an entry that cannot be computed is a problem to report
        return [f"{entry.name}: computing it raised {type(err).__name__}: {err}"]
    bad = _value_problem(entry, value)
    if bad:
        return [bad]
    found = []
    if not entry.cited and not entry.used_by:
        found.append(f"{entry.name}: it cites no file: say where it is stated, or what uses it")
    for fmt, shown in zip(entry.formats, entry.displays(value), strict=True):
        if rounding_margin(value, fmt) < TIE:
            found.append(
                f"{entry.name}: {value!r} lies within a relative {TIE:g} of a rounding boundary "
                f"of its display {shown!r}: show another precision"
            )
    if not entry.exact:
        found += _recomputation_problems(entry, value, seeds)
    if entry.margin is not None:
        m = entry.margin()
        if isinstance(m, bool) or not isinstance(m, numbers.Real) or not m >= TIE:
            found.append(
                f"{entry.name}: its reading is decided by a margin of {m!r} (relative), within "
                f"{TIE:g} of a tie"
            )
    return found


@functools.cache
def registry() -> tuple[Stated, ...]:
    """Every entry of every lesson's module in this package, in lesson order."""
    entries: list[Stated] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "numerals" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        entries.extend(module.NUMBERS)
    return tuple(entries)


def texts(root: Path) -> Iterator[tuple[str, str, str]]:
    """``(path, where, text)`` for every markdown cell and one-pager the registry covers."""
    for pattern in TEXTS:
        for path in sorted(root.glob(pattern)):
            rel = path.relative_to(root).as_posix()
            if path.suffix == ".md":
                yield rel, rel, path.read_text(encoding="utf-8")
                continue
            nb = json.loads(path.read_text(encoding="utf-8"))
            for i, cell in enumerate(nb.get("cells", [])):
                if cell.get("cell_type") == "markdown":
                    src = cell.get("source", "")
                    text = "".join(src) if isinstance(src, list) else src
                    yield rel, f"{rel} cell {cell.get('id', i)}", text


def keys_by_file(entries: tuple[Stated, ...]) -> dict[str, set[str]]:
    """The normalised displays each file may state, from the entries that cite it."""
    out: dict[str, set[str]] = {}
    for entry in entries:
        shown = {normalise(d) for d in entry.displays()}
        for path in entry.cited:
            out.setdefault(path, set()).update(shown)
    return out


def unregistered(root: Path, entries: tuple[Stated, ...] | None = None) -> list[str]:
    """Every numeral of the texts that no entry citing its file displays, and not allowed."""
    allowed = keys_by_file(registry() if entries is None else entries)
    return [
        f"{where}: {n.text!r} in: {n.context}"
        for path, where, text in texts(root)
        for n in numerals(text)
        if n.key not in allowed.get(path, set())
    ]


def missing_citations(root: Path, entries: tuple[Stated, ...] | None = None) -> list[str]:
    """Every entry that a file it cites does not state (a stale or mistyped citation)."""
    keys: dict[str, set[str]] = {}
    for path, _where, text in texts(root):
        keys.setdefault(path, set()).update(n.key for n in numerals(text, allowed=True))
    found = []
    for entry in registry() if entries is None else entries:
        shown = {normalise(d) for d in entry.displays()}
        for path in entry.cited:
            if path not in keys:
                found.append(f"{entry.name}: cites {path}, which is not one of the texts")
            elif not shown & keys[path]:
                found.append(f"{entry.name}: {path} does not state {sorted(shown)}")
    return found
