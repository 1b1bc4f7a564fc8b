"""Checks a student can trust (issue 14, part 1), for every question of every lesson: student code
is called once per case, positionally, on its own copy of the inputs, within a time limit; it
cannot change a question; text is never a number; the student's own odd values are never a
course bug; displaying a question shows no solution."""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
import re
import time

import numpy as np
import pytest

import gdcourse.lessons
from gdcourse.checks import FunctionQuestion, NumberQuestion, questions_of

# These tests answer with the course's reference functions: the watch for them is off.
pytestmark = pytest.mark.usefixtures("reference_answers")

MODULES = [
    importlib.import_module(f"gdcourse.lessons.{m.name}")
    for m in pkgutil.iter_modules(gdcourse.lessons.__path__)
]
QUESTIONS = [q for mod in MODULES for q in questions_of(mod)]
FUNCTIONS = [q for q in QUESTIONS if isinstance(q, FunctionQuestion)]
NUMBERS = [q for q in QUESTIONS if isinstance(q, NumberQuestion)]


def _args(case):
    return tuple(copy.deepcopy(tuple(case.values())))


def _right(q):
    """A right answer that takes its arguments positionally only (no names at all)."""
    if q.id == "saddles_practice.q4":  # its reference gives codes; the answer is labels
        from gdcourse.lessons.saddles_practice import LABELS

        return lambda *args: LABELS[int(q.reference(*copy.deepcopy(args)))]
    return lambda *args: q.reference(*copy.deepcopy(args))


def _snapshot(q):
    return copy.deepcopy([tuple(c.values()) for c in q.cases]), [
        q._result(q.reference(*_args(c))) for c in q.cases  # several results: joined
    ]


def _same(a, b):
    (cases_a, refs_a), (cases_b, refs_b) = a, b
    same_cases = all(
        repr(x) == repr(y) if callable(x) else np.array_equal(np.asarray(x), np.asarray(y))
        for ca, cb in zip(cases_a, cases_b, strict=True)
        for x, y in zip(ca, cb, strict=True)
    )
    return same_cases and all(np.array_equal(x, y) for x, y in zip(refs_a, refs_b, strict=True))


@pytest.mark.parametrize("q", FUNCTIONS, ids=[q.id for q in FUNCTIONS])
def test_a_function_taking_its_arguments_positionally_passes(q):
    # On 500a8ab the checks called by keyword: a function of *args raised TypeError.
    assert q.check(_right(q)).outcome == "correct"


@pytest.mark.parametrize("q", FUNCTIONS, ids=[q.id for q in FUNCTIONS])
def test_the_prompt_writes_the_arguments_in_the_order_they_are_passed(q):
    names = list(q.cases[0])
    signature = re.search(rf"{q.answer_var}\(([^)]*)\)", q.prompt + " " + q.solution_code)
    assert signature, f"{q.id}: the prompt shows no call of {q.answer_var}(...)"
    written = [a.strip().split("=")[0] for a in signature.group(1).split(",")]
    assert written == names, f"{q.id}: the prompt writes {written}, the cases pass {names}"


@pytest.mark.parametrize("q", FUNCTIONS, ids=[q.id for q in FUNCTIONS])
def test_each_function_runs_once_per_case(q):
    calls = []

    def counted(*args):
        calls.append(args)
        return _right(q)(*args)

    q.check(counted)
    assert len(calls) == len(q.cases)  # no hidden "still a template?" probe


@pytest.mark.parametrize("q", FUNCTIONS, ids=[q.id for q in FUNCTIONS])
def test_a_function_that_changes_its_inputs_changes_nothing_of_the_question(q):
    before = _snapshot(q)

    def vandal(*args):
        result = _right(q)(*args)
        for a in args:  # change every input it can, in place
            if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                a[...] = 0.0
            elif isinstance(a, list):
                a[:] = [0.0] * len(a)
        return result

    assert q.check(vandal).outcome == "correct"
    assert _same(before, _snapshot(q)), f"{q.id}: the student's function changed the question"
    assert q.check(_right(q)).outcome == "correct"


def test_a_function_that_never_returns_is_stopped_at_the_time_limit(monkeypatch):
    from gdcourse.checks import calling

    monkeypatch.setattr(calling, "TIME_LIMIT", 0.5)
    q = next(q for q in FUNCTIONS if q.id == "schedules_practice.q3")

    def forever(t):
        while t < 10:
            pass
        return 0.1

    start = time.perf_counter()
    v = q.check(forever)
    assert time.perf_counter() - start < 3
    assert v.outcome == "error" and "did not return within 0.5 s" in v.message
    assert "warmup_then_inverse(0)" in v.message  # the call, as the notebook writes it


def test_a_function_that_swallows_exceptions_is_stopped_too(monkeypatch):
    from gdcourse.checks import calling

    monkeypatch.setattr(calling, "TIME_LIMIT", 0.3)

    def stubborn(*args):
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # the alarm is not an Exception: this cannot catch it
                pass

    assert "did not return" in FUNCTIONS[0].check(stubborn).message


@pytest.mark.parametrize("q", FUNCTIONS, ids=[q.id for q in FUNCTIONS])
def test_stop_ends_the_check_in_one_sentence(q):
    def stopped(*args):
        raise KeyboardInterrupt

    v = q.check(stopped)
    assert v.outcome == "error" and v.message.startswith("You stopped the check")
    assert "Traceback" not in v.message


def test_infinite_recursion_is_one_line_and_a_count():
    q = FUNCTIONS[0]

    def deep(*args, **kwargs):
        return deep(*args, **kwargs)

    v = q.check(deep)
    assert v.outcome == "error" and "RecursionError" in v.message
    assert "[Previous line repeated" in v.message and len(v.message.splitlines()) < 10


@pytest.mark.parametrize("q", NUMBERS, ids=[q.id for q in NUMBERS])
def test_text_is_never_a_number(q):
    ref = np.asarray(q.expected(), dtype=float)
    as_text = str(float(ref)) if ref.ndim == 0 else [str(x) for x in ref.tolist()]
    v = q.check(as_text)
    assert v.outcome == "incorrect" and "quotes" in v.message, v.message


_BAD = type("Bad", (), {"__float__": lambda self: 1 / 0, "__repr__": lambda self: "Bad()"})


@pytest.mark.parametrize(
    "value",
    [10**400, [1.0, 10**400], _BAD(), {10**400: "bouncing"}, {_BAD(): "bouncing"}],
    ids=["huge", "huge in a list", "__float__ raises", "huge key", "key whose float raises"],
)
@pytest.mark.parametrize("q", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_a_students_odd_value_is_theirs_not_a_course_bug(q, value):
    v = q.check(value)
    assert v.outcome == "incorrect", v.message
    assert "bug" not in v.message.lower()


@pytest.mark.parametrize("q", FUNCTIONS, ids=[q.id for q in FUNCTIONS])
def test_a_function_returning_huge_numbers_is_not_a_course_bug(q):
    v = q.check(lambda *args: 10**400)
    assert v.outcome == "incorrect" and "bug" not in v.message.lower()


# Questions whose results hold several numbers (for a single number, [x] is allowed).
SEVERAL = [q for q in FUNCTIONS if q._result(q.reference(*_args(q.cases[0]))).size > 1]


def _as_column(q, out):
    """A result (each of its parts, for a question with ``returns``) as one column."""
    if q.returns:
        return tuple(np.asarray(p, float).reshape(-1, 1) for p in out)
    return np.asarray(out, float).reshape(-1, 1)


@pytest.mark.parametrize("q", SEVERAL, ids=[q.id for q in SEVERAL])
def test_a_right_result_in_another_shape_is_not_right(q):
    # One shape policy (docs/authoring.md): a result must have the reference's shape; only a
    # single number may come as [x]. A .ravel() of a table, or a column for a list, is wrong.
    v = q.check(lambda *args: _as_column(q, q.reference(*copy.deepcopy(args))))
    assert v.outcome == "incorrect" and ("shape" in v.message or "rows of" in v.message)


def test_codes_are_not_labels():
    from gdcourse.lessons import saddles_practice as ex
    from gdcourse.lessons.saddles_practice import LABELS

    right = ex.q4.reference
    assert ex.q4.check(lambda h: LABELS[int(right(h))]).outcome == "correct"
    assert ex.q4.check(lambda h: right(h)).outcome == "incorrect"  # the codes 0-3 themselves


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_displaying_a_question_shows_its_prompt_and_no_solution(q):
    shown = repr(q) + str(q)
    assert q.prompt in shown and f".check({q.answer_var})" in shown
    code = q.solution_code.strip()
    assert not code or code not in shown
    for hint in q.hints:
        assert hint not in shown
    assert "expected=" not in shown and "reference=" not in shown and "solution_code" not in shown


def test_every_question_class_keeps_the_safe_display():
    import gdcourse.checks.questions as questions

    classes = {type(q) for q in QUESTIONS} | {
        c for _, c in inspect.getmembers(questions, inspect.isclass)
        if issubclass(c, questions.Question)
    }
    for cls in classes:
        assert cls.__repr__ is questions.Question.__repr__, cls


def _arrays_in(value, depth=0):
    if isinstance(value, np.ndarray):
        yield value
    elif depth < 3 and isinstance(value, dict):
        for v in value.values():
            yield from _arrays_in(v, depth + 1)
    elif depth < 3 and isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays_in(v, depth + 1)
    elif depth < 3 and type(value).__module__.startswith("gdcourse.core"):
        for v in vars(value).values() if hasattr(value, "__dict__") else ():
            yield from _arrays_in(v, depth + 1)


@pytest.mark.parametrize("mod", MODULES, ids=[m.__name__.rsplit(".", 1)[1] for m in MODULES])
def test_a_lessons_data_cannot_be_changed_in_place(mod):
    # `w = ex.W; w -= 0.01 * g` in a notebook changed ex.W, and the right q2 answer then failed.
    for name, value in vars(mod).items():
        if name.startswith("__") or inspect.ismodule(value) or (callable(value) and not hasattr(
            value, "__dict__"
        )):
            continue
        for array in _arrays_in(value):
            assert not array.flags.writeable, f"{mod.__name__}.{name} can be changed in place"


@pytest.mark.parametrize("q", FUNCTIONS, ids=[q.id for q in FUNCTIONS])
def test_a_function_that_rewrites_the_cases_cannot_pass(q):
    def cheat(*args):
        for case in q.cases:  # make every case trivial, then answer the trivial case
            for key in case:
                try:
                    case[key] = 0
                except TypeError:
                    pass
        return 0.0

    assert q.check(cheat).outcome != "correct"
    assert q.check(_right(q)).outcome == "correct"


@pytest.mark.parametrize("q", NUMBERS, ids=[q.id for q in NUMBERS])
def test_complex_numbers_are_not_real_answers(q):
    ref = np.asarray(q.expected(), dtype=float)
    v = q.check(ref + 0j + 1e-30j)
    assert v.outcome == "incorrect" and "complex" in v.message


@pytest.mark.parametrize("escape", [SystemExit(1), GeneratorExit()], ids=["exit", "GeneratorExit"])
def test_exit_inside_a_students_function_is_an_error_of_theirs(escape):
    def leaves(*args):
        raise escape

    v = FUNCTIONS[0].check(leaves)
    assert v.outcome == "error" and type(escape).__name__ in v.message


class _Hostile:
    """An answer whose own methods all raise."""

    def __repr__(self):
        raise ValueError("no repr")

    def __float__(self):
        raise ValueError("no float")

    def __iter__(self):
        raise ValueError("no iter")

    def __eq__(self, other):
        raise ValueError("no eq")

    __hash__ = object.__hash__


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_an_answer_whose_own_methods_raise_is_not_a_course_bug(q):
    for answer in (_Hostile(), [_Hostile()], {_Hostile(): "x"}):
        v = q.check(answer)
        assert v.outcome in ("incorrect", "error"), v.message
        assert "bug in gdcourse" not in v.message


def test_a_check_inside_a_students_function_keeps_the_outer_time_limit(monkeypatch):
    from gdcourse.checks import calling

    monkeypatch.setattr(calling, "TIME_LIMIT", 0.5)
    q = next(q for q in FUNCTIONS if q.id == "schedules_practice.q3")
    right = _right(q)

    def sneaky(t):
        q.check(right)  # the inner check set and cleared its own alarm
        while True:
            pass

    start = time.perf_counter()
    assert "did not return" in q.check(sneaky).message
    assert time.perf_counter() - start < 5


def test_true_is_not_the_rate_1():
    from gdcourse.lessons import lr_exploration as ex

    right = ex.q8.expected()
    given = {(True if k == 1.0 else k): v for k, v in right.items()}
    assert 1.0 in right and ex.q8.check(given).outcome == "incorrect"


def test_in_an_assignment_a_hint_that_spells_out_the_solution_is_withheld(monkeypatch):
    from gdcourse.checks import ASSESSMENT_ENV
    from gdcourse.lessons import lr_exploration as ex

    last = len(ex.q2.hints)
    assert "descent_weights(8, 0.5, 4)" in ex.q2.hint(last).text
    monkeypatch.setenv(ASSESSMENT_ENV, "1")
    assert "not available in this assignment" in ex.q2.hint(last).title
    assert "descent_weights(8, 0.5, 4)" not in ex.q2.hint(last).text
    for q in QUESTIONS:  # the first hint always helps
        if q.hints:
            assert "not available" not in q.hint(1).title, q.id


def test_the_gradient_table_stops_a_function_that_never_returns(monkeypatch, capsys):
    from gdcourse.checks import calling, gradient_table
    from gdcourse.lessons import gradient as lesson

    monkeypatch.setattr(calling, "TIME_LIMIT", 0.3)

    def forever(x, y):
        while True:
            pass

    gradient_table(forever, lesson.BOWL, [(1.0, 2.0), (0.0, 1.0)])
    out = capsys.readouterr().out
    assert "did not return within 0.3 s" in out and "the table stops here" in out
    gradient_table(lambda x, y: ("1", "2"), lesson.BOWL, [(1.0, 2.0)])
    assert "quotes" in capsys.readouterr().out  # text is not a gradient


@pytest.mark.parametrize("mod", MODULES, ids=[m.__name__.rsplit(".", 1)[1] for m in MODULES])
def test_a_lessons_tables_cannot_be_changed(mod):
    # `ex.FLASHCARD["lr"] = 0.2` made the right answer to update_rule_practice.q1 "too small".
    for name, value in vars(mod).items():
        if name.isupper() and not name.startswith("_"):
            assert not isinstance(value, (dict, list, set)), f"{mod.__name__}.{name} is mutable"


@pytest.mark.parametrize("mod", MODULES, ids=[m.__name__.rsplit(".", 1)[1] for m in MODULES])
def test_a_lessons_names_cannot_be_rebound_from_a_notebook(mod):
    from gdcourse.core import CourseValueError

    name = next(n for n in vars(mod) if n.isupper() or n.startswith("q"))
    with pytest.raises(CourseValueError, match="belongs to the lesson"):
        setattr(mod, name, 0)


def test_every_loss_of_the_course_is_sealed_and_a_students_own_subclass_is_not():
    import gdcourse.core.losses as losses
    from gdcourse import Quadratic1D
    from gdcourse.core import CourseValueError
    from gdcourse.lessons import review, saddles

    for loss in (saddles.SADDLE, review.ABS_LOSS):  # classes without an __init__ of their own
        with pytest.raises(CourseValueError, match="fixed once made"):
            loss.gradient = lambda w: 0.0
    assert not losses.SaddleWithMinima.minimizers.flags.writeable

    class Counting(Quadratic1D):  # a student's: it may keep state of its own
        calls = 0

        def value(self, w):
            self.calls += 1
            return super().value(w)

    counting = Counting(2, 3)
    counting.value(1.0)
    assert counting.calls == 1


def test_a_lesson_can_still_be_reloaded():
    from gdcourse.lessons import lr_exploration as ex

    importlib.reload(ex)
    assert ex.q1.check(_right(ex.q1)).outcome == "correct"


def test_a_returned_object_that_swallows_the_alarm_is_still_stopped(monkeypatch):
    from gdcourse.checks import calling

    monkeypatch.setattr(calling, "TIME_LIMIT", 0.3)

    class Endless:  # numpy drops any exception raised in __len__
        def __len__(self):
            while True:
                pass

        def __getitem__(self, i):
            return 1.0

    start = time.perf_counter()
    v = FUNCTIONS[0].check(lambda *args: [Endless(), Endless()])
    assert v.outcome == "error" and time.perf_counter() - start < 5
