"""The grader checks answers in its own process, from plain data the student's process hands out
(gdcourse.checks.plain): the same verdict as the check in the notebook gives, for every question
and every kind of answer, and nothing in the data can run or award a point."""

from __future__ import annotations

import json
from collections import ChainMap, UserDict
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

import numpy as np
import pytest

from gdcourse.checks import FunctionQuestion, questions_of
from gdcourse.checks.plain import (
    PlainDataError,
    Recorded,
    from_plain,
    read_answer,
    to_plain,
)
from gdcourse.checks.questions import grading_session
from gdcourse.core.placeholder import ____
from gdcourse.instructor import grading

# These tests answer with the course's reference functions: the watch for them is off.
pytestmark = pytest.mark.usefixtures("reference_answers")


def _questions():
    out = []
    for slug in grading._lesson_slugs():
        out += questions_of(grading.importlib.import_module(f"gdcourse.lessons.{slug}"))
    return out


QUESTIONS = _questions()


class Floaty:
    def __float__(self):
        return 2.5

    def __repr__(self):
        return "Floaty()"


class BadFloat:
    def __float__(self):
        raise ArithmeticError("no float for you")


class ArrayLike:
    def __array__(self, dtype=None, copy=None):
        return np.array([8.0, 5.0, 3.5])


class MyList(list):
    pass


class MyFloat(float):
    pass


class Word(str):
    pass


def _generic_answers(q):
    right = q.expected() if hasattr(q, "expected") else None
    answers = [
        0,
        -1.5,
        None,
        True,
        "0.5",
        "fast",
        [1, 2, 3],
        (1.0, float("nan")),
        np.array([[1.0, 2.0], [3.0, 4.0]]),
        np.float32(0.25),
        np.int64(7),
        10**400,
        1e308 * 10,
        complex(1, 2),
        Decimal("0.1"),
        Fraction(1, 3),
        {"a": 1},
        {0.1: "converges", 1.0: "diverges"},
        {1, 2},
        ____,
        [____, 1.0],
        lambda x: x,
        iter([1, 2]),
        Floaty(),
        BadFloat(),
        ArrayLike(),
        MyList([1.0, 2.0]),
        [None, 1.0],
        [[1, 2], [3]],
        object(),
        int,
        MyFloat(0.5),
        [MyFloat(8.0), MyFloat(2.0)],
        Word("converges"),
        UserDict({0.1: "converges"}),
        MappingProxyType({"a": 1}),
        ChainMap({"b": 2}),
        b"0.5",
        bytearray(b"1"),
        memoryview(b"1"),
        np.datetime64(1, "s"),
        np.array([np.timedelta64(2, "s")]),
        np.ma.masked_array([1.0, 2.0], [True, False]),
    ]
    if right is not None:
        # The right value under a mask (np.asarray keeps what a mask hides): never a pass.
        answers.append(np.ma.masked_array(np.atleast_1d(np.asarray(right, dtype=object)), True))
        answers.append(right)
        if isinstance(right, (list, tuple, np.ndarray)):
            arr = np.asarray(right, dtype=float)
            answers += [arr, arr.tolist(), np.round(arr, 2).tolist(), arr[::-1].tolist()]
            answers.append([*list(arr), 0.0])
        elif isinstance(right, dict):
            answers += [dict(reversed(list(right.items()))), {str(k): v for k, v in right.items()}]
            answers += [UserDict(right), MappingProxyType(dict(right)), ChainMap(dict(right))]
            answers.append(
                {
                    MyFloat(k) if isinstance(k, float) else k: Word(v) if isinstance(v, str) else v
                    for k, v in right.items()
                }
            )
    return answers + _mistakes(q)


def _mistakes(q):
    """Each known mistake's answer (a value, or for a function question a function)."""
    out = []
    for m in q.misconceptions:
        try:
            out.append(m.answer())
        except Exception:
            pass
    return out


def _through_json(data):
    return json.loads(json.dumps(data, allow_nan=False))


def _same(q, answer, handed):
    with grading_session():
        direct = q.check(answer)
    with grading_session():
        replayed = q.check(handed)
    return direct, replayed


NON_FUNCTIONS = [q for q in QUESTIONS if not isinstance(q, FunctionQuestion)]
FUNCTIONS = [q for q in QUESTIONS if isinstance(q, FunctionQuestion)]


@pytest.mark.parametrize("q", NON_FUNCTIONS, ids=lambda q: q.id)
def test_a_value_checked_from_its_data_gets_the_same_verdict(q):
    for answer in _generic_answers(q):
        handed = from_plain(_through_json(read_answer(answer, 5.0)))
        direct, replayed = _same(q, answer, handed)
        assert (replayed.outcome, replayed.message) == (direct.outcome, direct.message), (
            q.id,
            repr(answer)[:80],
        )


def _functions_for(q):
    ref = q.reference

    def raises(*args):
        raise ValueError("my bug")

    def none(*args):
        return None

    def blank(*args):
        return ____

    def too_few():
        return 1.0

    def rounded(*args):
        return np.round(np.asarray(ref(*args), dtype=float), 2)

    def as_list(*args):
        return np.asarray(ref(*args), dtype=float).tolist()

    def text(*args):
        return "1.0"

    def returns_object(*args):
        return Floaty()

    def odd_names(w0=None, q=1.0, q́=2.0, *rest):  # names Python allows, and no others
        return ref(*rest) if rest else None

    fns = [ref, raises, none, blank, too_few, rounded, as_list, text, returns_object, odd_names]
    return fns + _mistakes(q)


@pytest.mark.parametrize("q", FUNCTIONS, ids=lambda q: q.id)
def test_a_function_checked_from_its_recorded_calls_gets_the_same_verdict(q):
    for fn in [*_functions_for(q), 3.0, "f", None]:
        data = _through_json(q.recorded_calls(fn))
        handed = Recorded(data) if data.get("t") == "calls" else from_plain(data)
        direct, replayed = _same(q, fn, handed)
        assert (replayed.outcome, replayed.message) == (direct.outcome, direct.message), (
            q.id,
            getattr(fn, "__name__", fn),
        )
        assert [list(r) for r in replayed.table] == [list(r) for r in direct.table]


def test_a_function_over_the_time_budget_ends_where_it_did(monkeypatch):
    from gdcourse.checks import calling

    q = FUNCTIONS[0]
    monkeypatch.setattr(calling, "TIME_LIMIT", 0.2)
    monkeypatch.setattr(calling, "CHECK_LIMIT", 0.5)

    def slow(*args):
        import time

        time.sleep(0.15)
        return q.reference(*args)

    data = _through_json(q.recorded_calls(slow))
    assert len(data["calls"]) < len(q._cases())  # the calls stopped where the budget ended
    with grading_session():
        verdict = q.check(Recorded(data))
    # The inputs it was not run on are wrong; the ones it got right before still count.
    assert verdict.outcome == "incorrect" and "in all" in verdict.message
    assert 0 < verdict.right < verdict.of == len(q._cases())


@pytest.mark.parametrize(
    "forged",
    [
        {"t": "pickle", "v": "gASV"},
        {"t": "array", "npy": "not base64!"},
        {"t": "float", "v": "not hex"},
        {"t": "int", "v": "9" * 5000},
        {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]},
        {"t": "list"},
        "correct",
        {"outcome": "correct", "points": 1000},
    ],
)
def test_a_forged_record_is_refused_not_run(forged):
    with pytest.raises(PlainDataError):
        from_plain(forged)


def test_an_object_array_in_npy_is_refused():
    import base64
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([1, "a", None], dtype=object), allow_pickle=True)
    with pytest.raises(PlainDataError):
        from_plain({"t": "array", "npy": base64.b64encode(buf.getvalue()).decode()})


def test_points_come_from_the_question_not_the_record():
    q = NON_FUNCTIONS[0]
    rec = {"found": True, "answer": to_plain(q.expected()), "points": 1000, "outcome": "correct"}
    with grading_session():
        outcome, points, *_ = grading._judge(q, rec)
    assert (outcome, points) == ("correct", q.points)
    rec = {"found": True, "answer": to_plain(-12345.0), "points": 1000, "outcome": "correct"}
    with grading_session():
        outcome, points, *_ = grading._judge(q, rec)
    assert points == 0 and outcome != "correct"


def test_a_grading_session_forgets_the_last_submission(tmp_path, monkeypatch):
    from gdcourse.checks import questions as qmod

    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "mine.jsonl"))
    with grading_session():
        QUESTIONS[0].check(0)
        assert qmod._LATEST
    assert not qmod._LATEST and not qmod._MISTAKES
    assert not (tmp_path / "mine.jsonl").exists()  # the instructor's own log is not touched
    import os

    assert os.environ["GDCOURSE_PROGRESS"] == str(tmp_path / "mine.jsonl")


def test_the_typed_answer_is_only_the_tagged_check_cells_argument():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("ex.q2.check([8, 5, 3.5, 2.75, 2.375])"),  # untagged
        nbformat.v4.new_code_cell("ex.q3.check(my_losses)", metadata={"tags": ["q3"]}),
        nbformat.v4.new_code_cell("ex.q4.check(w_10)", metadata={"tags": ["q4"]}),
        nbformat.v4.new_code_cell("print(ex.q5.check(w_01=[1, 2]))", metadata={"tags": ["q5"]}),
        nbformat.v4.new_code_cell("ex.q1.check(  # broken", metadata={"tags": ["q1"]}),
    ]
    from gdcourse.lessons import lr_exploration

    typed = grading._typed_arguments(nb, questions_of(lr_exploration))
    assert typed == {"q3": "my_losses", "q5": "[1, 2]"}


class _MaskedUnderneath:
    """An object whose own __array__ hands out a masked array (np.asarray unmasks it)."""

    def __init__(self, values):
        self.values = values

    def __array__(self, dtype=None, copy=None):
        return np.ma.array(self.values, mask=True)


def test_a_value_hidden_under_a_mask_never_passes_in_the_notebook_or_the_grader():
    from gdcourse.lessons import sgd

    right = sgd.q4.expected()
    counts = sgd.q1.expected()
    for q, answer in (
        (sgd.q4, _MaskedUnderneath([right])),
        (sgd.q4, (np.ma.array([right], mask=[True]),)),
        (sgd.q4, [[np.ma.array([right], mask=[True])]]),
        (sgd.q4, [np.ma.masked]),
        (sgd.q1, _MaskedUnderneath(counts)),
        (sgd.q1, [np.datetime64(counts[0], "s"), *counts[1:]]),
        (sgd.q4, memoryview(np.array([right]))),
    ):
        here = q.check(answer)
        there = q.check(from_plain(_through_json(to_plain(answer))))
        assert here.outcome == there.outcome == "incorrect", answer
        assert here.message == there.message
