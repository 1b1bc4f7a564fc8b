"""Hints point at what to look at, never at the answer.

A choice question's targeted hint (``confusions[(right, given)]``) is shown when a student gives
``given`` where ``right`` is right, and its first hint (``hint(1)``) before any answer at all.
Neither may name the right label, nor define or paraphrase it: a student could then copy the
answer instead of finding it. A hint may say what the *given* label means and what to compute
or read to test it ("diverging means the distance grows every step: compare |1 - rate * a|
with 1"), but not what the right one means ("the distance neither grows nor shrinks").

What counts as a giveaway of each label: the phrases the core says the regimes and statuses with
(``REGIME_PHRASES``, ``STATUS_PHRASES``) and the labels' definitions in the lessons (their
prompts, last hints and explanations), listed in ``GIVEAWAYS``. A first hint that describes
every choice alike (a list of what to look for, in the order of the labels) gives none away.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import gdcourse.lessons
from gdcourse.checks import ChoiceQuestion, questions_of
from gdcourse.core import REGIME_PHRASES, STATUS_PHRASES


def normalise(text: str) -> str:
    """Lower case, '-' and '_' as spaces, runs of spaces as one."""
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


#: How a run ended (its status) said as the regime that produces it.
_STATUS_OF_REGIME = {"diverging": "diverged", "bouncing": "bouncing"}

#: Phrases that define or paraphrase a label, by label (normalised), beyond the core's phrases.
_DEFINITIONS = {
    # regimes (lessons 03, 08 and the lr exploration: hints(2), explanations)
    "monotone": ("monoton", "never overshoot", "never jump", "from one side", "one side of"),
    "one step": ("in one step", "land on", "lands on", "landing on", "multiplier is 0"),
    "oscillating converging": ("oscillat", "while getting closer", "but converg"),
    "bouncing": (
        "bounc",
        "between two points",
        "forever",
        "neither grows nor shrinks",
        "neither shrinks nor grows",
        "same distance",
        "special value",
        "exactly 2",
        "exactly -1",
        "edge of stability",
        "stability limit",
        "shrink at all",
        "ever shrink",
    ),
    "diverging": ("diverg", "blows up", "blow up", "run away", "runs away", "grows without"),
    # momentum_practice.q6
    "converges": ("converg", "stable", "inside the limit", "within the limit", "below the limit"),
    "diverges": ("diverg", "blows up", "blow up", "unstable", "past the limit", "above the limit"),
    # network.q6 (whose good rate moves when the loss is scaled)
    "sgd and momentum": ("sgd and momentum", "momentum and sgd", "both sgd", "but adam"),
    "sgd": ("only sgd", "just sgd", "sgd alone"),
    "momentum": ("only momentum", "just momentum", "momentum alone"),
    "adam": ("only adam", "just adam", "adam alone"),
    "all three": ("all three", "every optimizer", "all of them"),
    # network.q3 (the full batch at the scaled rate)
    "blows up": ("blows up", "blow up", "blew up", "diverg", "thrown off"),
    "trains as well": ("as well", "the same accuracy", "just as"),
    "trains worse": ("worse", "lower accuracy", "less accurate"),
    # network_practice.q2 (a sweep's rate that does not diverge)
    "trains": ("learns", "survives", "stays finite", "below the blow", "under the blow"),
    # gradient.q4
    "perpendicular to the level set": ("perpendicular", "right angle", "90", "normal to"),
    "at the minimum": ("at the minimum", "towards the minimum", "toward the minimum"),
    "along the level set": ("along the level set", "along the contour"),
    # gradient.q3
    "positive": ("positive", "the labels grow", "loss grows", "uphill"),
    "negative": ("negative", "the labels shrink", "loss falls", "downhill"),
    "zero": ("zero", "just touches", "runs along it", "slope is 0"),
    # saddles_practice.q1 (its prompt and hints(2))
    "minimum": ("all positive", "every eigenvalue positive", "curves up in every"),
    "maximum": ("all negative", "negative curvature in every", "curves down in every"),
    "saddle": ("saddle", "mixed", "both signs", "one eigenvalue is negative"),
    "undecided": ("undecided", "a zero", "zero eigenvalue", "cannot tell", "flat along"),
    # saddles.q1
    "upper minimum": ("upper minimum",),
    "lower minimum": ("lower minimum",),
    "elsewhere": ("elsewhere",),
    # many_parameters.q3
    "neither": ("neither", "no direction", "none of them"),
    "steep": ("steep",),
    "shallow": ("shallow",),
    "both": ("both directions", "both scalings", "every factor", "each factor"),
    # momentum.q3
    # (and network.q6: whose good rate moves)
    "none": ("unchanged", "does not change", "no scaling", "neither scaling", "no optimizer"),
    "10 only": ("only the factor 10", "only by 10"),
    "1000 only": ("only the factor 1000", "only by 1000"),
    # sgd.q3 (its hints(2))
    "per update": ("count steps", "counts steps", "number of steps", "steps,", "fewest steps"),
    "per epoch": ("passes over", "pass over", "reading examples", "examples read", "processed"),
    "per second": ("clock", "seconds", "time", "this machine", "laptop"),
    # schedules.q1
    "yes": ("satisfies both", "grows like log", "add up to a finite", "both hold"),
    "no": ("one of them fails", "fails", "has a finite sum", "infinite sum of squares"),
    # update_rule.q3, update_rule_practice.q2
    "left": ("to the left", "goes left", "moves left", "smaller than", "decreases w"),
    "right": ("to the right", "goes right", "moves right", "larger than", "increases w"),
    # schedules_practice.q4 (its hints(2))
    "0.019": ("10 times below", "ten times below", "a tenth of"),
}


#: Phrases that settle any label: "you swapped them" leaves only the other one.
_DECISIVE = ("swapped", "the other one", "the opposite one")


def _giveaways() -> dict[str, tuple[str, ...]]:
    out = {
        label: tuple(normalise(p) for p in (*ps, *_DECISIVE)) for label, ps in _DEFINITIONS.items()
    }
    for regime, phrase in REGIME_PHRASES.items():
        parts = [phrase, *re.split(r", | but | in ", phrase)]
        status = _STATUS_OF_REGIME.get(regime)
        if status:
            parts.append(STATUS_PHRASES[status])
        key = normalise(regime)
        out[key] = out.get(key, ()) + tuple(normalise(p) for p in parts if len(p) > 3)
    return out


GIVEAWAYS = _giveaways()


def _name_pattern(label: str) -> re.Pattern[str]:
    """The label itself in a hint: a whole word or number ('0.019' is not in '0.0019')."""
    if len(label) == 1:  # an arrow's letter: 'Arrow A', 'A' (not "A" starting a sentence)
        return re.compile(rf"(?i:arrow {label}\b)|(?<![.?!:] )(?<!^)\b{label.upper()}\b")
    return re.compile(rf"(?<![\w.]){re.escape(normalise(label))}(?![\w]|\.\d)")


def named(label: str, hint: str) -> bool:
    """Whether the hint names the label (case, '-', '_' and spaces aside)."""
    if len(label) == 1:
        return bool(_name_pattern(label).search(" ".join(hint.split())))
    return bool(_name_pattern(label).search(normalise(hint)))


def giveaways_in(label: str, hint: str) -> list[str]:
    """The phrases of the hint that define or paraphrase the label."""
    text = normalise(hint)
    phrases = GIVEAWAYS.get(normalise(label), ())
    return [p for p in phrases if re.search(rf"(?<![\w]){re.escape(p)}", text)]


def _choice_questions() -> list[ChoiceQuestion]:
    found = []
    for info in pkgutil.iter_modules(gdcourse.lessons.__path__):
        module = importlib.import_module(f"gdcourse.lessons.{info.name}")
        found += [q for q in questions_of(module) if isinstance(q, ChoiceQuestion)]
    return found


QUESTIONS = _choice_questions()
CONFUSIONS = [
    pytest.param(q, right, given, hint, id=f"{q.id}:{right}<-{given}")
    for q in QUESTIONS
    for (right, given), hint in q.confusions.items()
]


def _right_labels(q: ChoiceQuestion) -> set[str]:
    ref = q.expected()
    return {normalise(v) for v in (ref.values() if isinstance(ref, dict) else [ref])}


def test_every_lesson_module_is_read_and_has_its_choice_questions():
    assert len(QUESTIONS) >= 10 and len(CONFUSIONS) >= 50
    assert {q.lesson for q in QUESTIONS} >= {"learning_rate", "lr_exploration", "review", "sgd"}


def test_every_label_of_the_course_has_giveaway_phrases():
    # A new label needs its phrases here, or the test could not catch its definition.
    labels = {normalise(c) for q in QUESTIONS for c in q.choices}
    missing = sorted(lab for lab in labels if len(lab) > 1 and lab not in GIVEAWAYS)
    numeric = [lab for lab in missing if re.fullmatch(r"[\d.]+", lab)]
    assert sorted(set(missing) - set(numeric)) == []


@pytest.mark.parametrize(("q", "right", "given", "hint"), CONFUSIONS)
def test_a_targeted_hint_does_not_give_the_right_label_away(q, right, given, hint):
    assert normalise(right) in map(normalise, q.choices), f"{q.id}: no label {right!r}"
    assert normalise(given) in map(normalise, q.choices), f"{q.id}: no label {given!r}"
    assert not named(right, hint), f"{q.id}: the hint for {given!r} names {right!r}: {hint}"
    found = giveaways_in(right, hint)
    assert not found, f"{q.id}: the hint for {given!r} paraphrases {right!r} ({found}): {hint}"


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_the_first_hint_does_not_give_a_right_label_away(q):
    first = q.hints[0]
    rights = _right_labels(q)
    assert not [r for r in rights if named(r, first)], f"{q.id}: hint(1) names a label: {first}"
    described = {normalise(c) for c in q.choices if giveaways_in(c, first)}
    everyone = {normalise(c) for c in q.choices}
    if described != everyone:  # a list describing every choice alike points at none
        found = {r: giveaways_in(r, first) for r in rights & described}
        assert not found, f"{q.id}: hint(1) paraphrases {found}: {first}"


def test_the_checks_helpers_catch_the_known_giveaways():
    # The defect that started this file, and the shapes a rewrite must avoid.
    assert giveaways_in("bouncing", "At one special value the distance neither grows nor shrinks.")
    assert giveaways_in("per-epoch", "What is scarce here is passes over the data.")
    assert named("steep", "Compute the steep direction's multiplier.")
    assert named("0.019", "pick 0.019") and not named("0.019", "pick 0.0019 or 0.0190")
    assert named("A", "Arrow A runs along it") and not named("A", "A geometric series has a sum.")
    assert not giveaways_in("bouncing", "Diverging means the distance grows every step.")
