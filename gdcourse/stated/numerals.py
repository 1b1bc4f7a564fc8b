"""Finding the numbers a lesson's text states: the numerals of markdown prose and formulas.

A numeral needs an entry in the registry unless it is on the short allow-list below: small whole
numbers (the 2 of ``2/a``, an exponent, "five regimes"), years of citations, references to
lessons, sections, exercises and steps, and anything inside code (code spans and blocks show
code, whose numbers are its inputs; a claim about a result belongs in the prose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ALLOWED", "Numeral", "normalise", "numerals"]

#: The allow-list, one rule a line: what the rule lets through, and why.
ALLOWED = (
    "whole numbers from -10 to 10: formula constants (the 2 of 2/a), exponents, small counts",
    "citations: years, (Smith, 2017), Robbins and Monro (1951), and licence versions: CC BY-SA 4.0",
    "references: lesson 05, lessons 01-08, section 4, exercise 06, step 79, steps 79 and 80",
    "headings' numbers: ## 4 · The range test",
    "durations in a time estimate: 'Time in class: about 45 minutes: 30 for the lesson'",
    "code: fenced blocks and inline `code` (but not a span of bare numbers, an answer), link "
    "targets, HTML tags, arXiv numbers, subscripts such as w_{113}, identifiers such as q4",
)

# Spans whose numerals are not prose: fenced blocks, inline code that holds code (a letter or an
# equals sign: `lr=0.37`; a span of bare numbers such as `[8, 5, 3.5]` is a stated answer and is
# read), link targets, HTML tags, arXiv numbers and the number of a heading ("## 4 · ..."),
# replaced by blanks so that positions stay the same.
_NOT_PROSE = re.compile(
    r"```.*?```|`[^`\n]*`|\]\([^)]*\)|<[^>\n]*>|\barXiv:\s*\d+\.\d+"
    r"|^#{1,6}\s+\d+(?:\.\d+)?(?=\s*[·.:])",
    re.DOTALL | re.MULTILINE,
)
_CODE = re.compile(r"[A-Za-z_=]")


def _blank(m: re.Match) -> str:
    span = m.group()
    if span.startswith("`") and not span.startswith("```") and not _CODE.search(span):
        return span  # bare numbers in backticks: an answer, read as prose
    return " " * len(span)


# The paragraph of a time estimate ("Time in class: about 45 minutes: 30 for the lesson ...").
_TIME_PARAGRAPH = re.compile(r"^\**Time(?: in class)?:.*?(?=\n[ \t]*\n|\Z)", re.DOTALL | re.M)
# In it, a numeral is a duration when minutes follow it, or "for the lesson" (or the exercise,
# the practice, the flashcards, the quiz...).
_DURATION = re.compile(
    r"^(?:\s*[–-]\s*\d+)?\s*(?:minutes?\b|min\b|for\s+(?:the\s+)?"
    r"(?:lesson|exercise|practice|flashcards|quiz|review|explorer|discussion)s?\b)"
)
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUP = "[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"
# One numeral: a sign, digits with optional thousands groups (1,100 or LaTeX 10\,000), a
# fraction, an exponent (2.8e6, 2.8E6, 2.8 \times 10^{6}, 2.8·10⁶, 10^{-10}, 10⁻¹⁰) and a percent
# sign. Not inside a word or identifier (q4, x2, \frac12); units glued on after it (5ms, 1.5x)
# do not hide it.
_NUMERAL = re.compile(
    r"(?<![A-Za-z0-9.\\])(?<!_\{)(?P<sign>[-−])?"
    r"(?P<mantissa>\d{1,3}(?:(?:,|\\,)\d{3})+(?!\d)|\d+(?:\.\d+)?|\.\d+)"
    r"(?:(?P<e>[eE][-+]?\d+)"
    r"|\s*(?:\\times|\\cdot|×|·)\s*10"
    r"(?:\^\{?(?P<tenpow>[-−]?\d+)\}?|(?P<suptenpow>" + _SUP + r")))?"
    r"(?P<power>\^\{?[-−]?\d+\}?|" + _SUP + r")?"
    r"(?P<percent>\s*\\?%)?"
    r"(?![0-9])"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
# Words after which a whole number is a reference, not a quantity: "lesson 05", "step 79".
_REFERENCE_WORDS = re.compile(
    r"(?:\blessons?|\bsections?|\bexercises?|\bsteps?|\bcells?|\bparts?|\bchapters?|\bnotebooks?"
    r"|\bLessons?|\bSections?|\bExercises?|\bSteps?)"
    r"(?:\s+(?:\d+(?:\s*(?:-|–|to|and|,)\s*)?)+)?\s*$"
)


@dataclass(frozen=True)
class Numeral:
    """A numeral of the text that needs a registry entry.

    ``text`` is as written; ``key`` is its normalised form (see :func:`normalise`), to compare
    with an entry's display; ``context`` is the line around it.
    """

    text: str
    key: str
    position: int
    context: str


def normalise(text: str) -> str:
    """The comparable form of a written number: no thousands separators, one kind of minus, an
    exponent written ``e`` with no ``+`` or leading zeros, ``%`` kept.

    Examples
    --------
    >>> [normalise(t) for t in ("1,100", "10\\\\,000", "2.8e+06", "−0.8", "99.98\\\\%", "10^{-10}")]
    ['1100', '10000', '2.8e6', '-0.8', '99.98%', '1e-10']
    """
    m = _NUMERAL.fullmatch(text.strip())
    if m is None:
        return text.strip()
    return _key(m)


def _key(m: re.Match) -> str:
    sign = "-" if m["sign"] else ""
    mantissa = m["mantissa"].replace("\\,", "").replace(",", "")
    exponent = m["e"][1:] if m["e"] else m["tenpow"] or m["suptenpow"]
    if exponent is None and m["power"] and mantissa == "10":
        # 10^{-10} is the number 1e-10; any other base with a power is a formula (x^2).
        mantissa, exponent = "1", m["power"].strip("^{}")
    if exponent is not None:
        exponent = exponent.translate(_SUPERSCRIPT)
    key = sign + mantissa
    if exponent is not None:
        exponent = exponent.replace("−", "-").lstrip("+")
        negative = exponent.startswith("-")
        digits = exponent.lstrip("-").lstrip("0") or "0"
        key += "e" + ("-" if negative else "") + digits
    return key + ("%" if m["percent"] else "")


def _is_allowed(m: re.Match, text: str, durations: list[tuple[int, int]]) -> bool:
    key = _key(m)
    plain = key.lstrip("-")
    if re.fullmatch(r"\d+", plain) and int(plain) <= 10:
        return True
    in_time = any(a <= m.start() < b for a, b in durations)
    if in_time and re.fullmatch(r"\d+", plain) and _DURATION.match(text[m.end() : m.end() + 40]):
        return True
    before = text[max(0, m.start() - 60) : m.start()]
    after = text[m.end() : m.end() + 2]
    if _YEAR.match(plain) and (
        re.search(r"(?:\(|,\s|\bet al\.\s|\bIn\s|\bin\s)$", before) or after[:1] == ")"
    ):
        return True
    if re.search(r"\bCC(?:[ -](?:BY|SA|NC|ND))+\s$", before):
        return True
    return bool(re.fullmatch(r"\d+", plain) and _REFERENCE_WORDS.search(before))


def numerals(text: str, *, allowed: bool = False) -> list[Numeral]:
    """The numerals of markdown ``text`` that are not on the allow-list (:data:`ALLOWED`); with
    ``allowed=True``, every numeral of its prose.

    Examples
    --------
    >>> [n.key for n in numerals("At rate $0.3$ on lesson 05's loss, $w$ goes $-9 \\\\to 39$.")]
    ['0.3', '39']
    >>> [n.key for n in numerals("`gradient_descent(q, 7.0, lr=0.37)` (Smith, 2017) in step 80")]
    []
    """
    blanked = _NOT_PROSE.sub(_blank, text)
    durations = [m.span() for m in _TIME_PARAGRAPH.finditer(blanked)]
    found = []
    for m in _NUMERAL.finditer(blanked):
        if not allowed and _is_allowed(m, blanked, durations):
            continue
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        context = text[start : end if end >= 0 else len(text)].strip()
        found.append(Numeral(m.group().strip(), _key(m), m.start(), context))
    return found
