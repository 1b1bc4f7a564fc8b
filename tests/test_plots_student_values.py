"""The plot helpers that exercise notebooks feed with a student's own values: a value they cannot
plot (a generator, None, a list holding None, text, a ragged list, a whole run, a dict) gives one
printed sentence naming the value, what it is and what the plot needs; never a traceback, never
a figure (not even an empty one: ``plt.get_fignums()`` stays empty). Values that are fine draw
exactly the lines they drew before, inf and nan of a diverging run included.
"""

import ast
import json
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdcourse import Quadratic1D, QuadraticBowl, gradient_descent
from gdcourse.core import directional_derivative
from gdcourse.plots import loss_curves
from gdcourse.plots.gradient import slopes_picture

matplotlib.use("agg")

ROOT = Path(__file__).resolve().parents[1]
LOSS = Quadratic1D(a=2, c=2)
ANGLES = [0, 45, 90, 135, 180]
GRADIENT = (-3.0, 4.0)


@pytest.fixture(autouse=True)
def _no_figures():
    plt.close("all")
    yield
    plt.close("all")


def _no_return():
    print("w = 8")  # prints instead of returning: the caller gets None


def _bad(kind: str, n: int):
    """A value of the bad ``kind`` where the plot needs ``n`` numbers."""
    return {
        "generator": lambda: (float(w) for w in range(n)),
        "None": lambda: _no_return(),
        "list with None": lambda: [*[1.0] * (n - 1), _no_return()],
        "text": lambda: "8, 2, 0.5",
        "ragged list": lambda: [[8.0, 2.0], [0.5]],
        "Trajectory": lambda: gradient_descent(LOSS, 8.0, lr=0.5, steps=n - 1),
        "dict": lambda: {f"w{i}": float(i) for i in range(n)},
    }[kind]()


#: What the sentence must say for each kind (lower case).
SAYS = {
    "generator": "a generator",
    "None": "got none \u2014 did your function return its result? a function that ends without "
    "return gives none",
    "list with None": "one of them none \u2014 did your function return its result?",
    "text": "the text '8, 2, 0.5'",
    "ragged list": "ragged",
    "Trajectory": "a whole run (a trajectory)",
    "dict": "a dict",
}


def _loss_curves_one_run(value):
    loss_curves(LOSS, {"run_steps(2.0, 0.25, 10)": value}, title="t")


def _loss_curves_four_runs(value):
    fine = [8.0, 6.8, 5.84, 5.07]
    loss_curves(LOSS, {"rate 0.1": fine, "rate 0.5": value, "rate 1.0": fine, "rate 1.2": fine})


def _slopes_gradient(value):
    slopes_picture(value, ANGLES, [1.0, 2.0, 3.0, 4.0, 5.0])


def _slopes_slopes(value):
    slopes_picture(GRADIENT, ANGLES, value)


#: (helper, how many numbers it needs, the words naming the value).
HELPERS = {
    "loss_curves": (_loss_curves_one_run, 4, 'the weights of "run_steps(2.0, 0.25, 10)"'),
    "loss_curves, 1 of 4 runs": (_loss_curves_four_runs, 4, 'the weights of "rate 0.5"'),
    "slopes_picture gradient": (_slopes_gradient, 2, "the gradient"),
    "slopes_picture slopes": (_slopes_slopes, 5, "the slopes"),
}


@pytest.mark.parametrize("kind", list(SAYS))
@pytest.mark.parametrize("helper", list(HELPERS))
def test_a_bad_value_gives_one_sentence_and_no_figure(helper, kind, capsys):
    call, n, name = HELPERS[helper]
    value = _bad(kind, n)
    capsys.readouterr()  # (what _no_return printed)
    call(value)  # no exception
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    sentence = lines[0]
    assert sentence.startswith(f"The plot waits: {name} should be "), sentence
    assert SAYS[kind] in sentence.lower(), sentence
    assert "bug" not in sentence.lower() and "course" not in sentence.lower()
    assert plt.get_fignums() == []


def test_the_sentences_say_what_the_plot_needs(capsys):
    _loss_curves_one_run([8.0, None, 2.0, None])
    _slopes_slopes([1.0, 2.0, 3.0, 4.0])
    _slopes_gradient(5.0)
    assert capsys.readouterr().out.splitlines() == [
        'The plot waits: the weights of "run_steps(2.0, 0.25, 10)" should be a list of numbers, '
        "w0 first, but got a list of 4 items, 2 of them None \u2014 did your function return its "
        "result? A function that ends without return gives None.",
        "The plot waits: the slopes should be 5 numbers, one slope per angle, but got a list of 4 "
        "numbers.",
        "The plot waits: the gradient should be two numbers (dL/dx, dL/dy), but got a single "
        "number (5).",
    ]
    assert plt.get_fignums() == []


def test_the_blank_still_comes_first(capsys):
    loss_curves(LOSS, {"rate 0.1": None, "rate 0.5": [8, None]})
    from gdcourse import ____

    loss_curves(LOSS, {"rate 0.1": None, "rate 0.5": ____})
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('The plot waits: the weights of "rate 0.1"')
    assert out[1] == "Fill in the weights for rate 0.5 first, then run this cell again."


WEIGHTS = [8.0, 5.0, 3.5, 2.75]
GOOD_WEIGHTS = {
    "list": WEIGHTS,
    "tuple": tuple(WEIGHTS),
    "array": np.array(WEIGHTS),
    "numpy floats": [np.float64(w) for w in WEIGHTS],
    "numpy scalars of several kinds": [np.int64(8), np.float32(5.0), np.float64(3.5), 2.75],
    "diverging, with inf and nan": [8.0, -1e200, 1e300, np.inf, np.nan],
}


@pytest.mark.parametrize("kind", list(GOOD_WEIGHTS))
def test_good_weights_draw_the_same_lines_as_before(kind, capsys):
    weights = GOOD_WEIGHTS[kind]
    loss_curves(LOSS, {"yours": weights, "a list": WEIGHTS}, title="t")
    assert capsys.readouterr().out == ""
    (ax,) = plt.gcf().axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["yours", "a list"]
    for line, w in zip(lines, (weights, WEIGHTS), strict=True):
        with np.errstate(all="ignore"):
            expected = np.asarray(LOSS.value(np.asarray(w, dtype=float)), dtype=float)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(len(expected)))
        np.testing.assert_array_equal(line.get_ydata(), expected)


def test_a_run_of_points_on_a_two_parameter_loss_still_draws():
    bowl = QuadraticBowl([1.0, 3.0])
    run = gradient_descent(bowl, [2.0, 1.0], lr=0.1, steps=5)
    loss_curves(bowl, {"points": run.weights, "as lists": run.weights.tolist()})
    for line in plt.gcf().axes[0].get_lines():
        np.testing.assert_allclose(line.get_ydata(), run.losses)


GOOD_SLOPES = {
    "list": [4.0, 0.7, -2.8, -4.9, -4.0],
    "tuple": (4.0, 0.7, -2.8, -4.9, -4.0),
    "array": np.array([4.0, 0.7, -2.8, -4.9, -4.0]),
    "numpy floats": [np.float64(s) for s in (4.0, 0.7, -2.8, -4.9, -4.0)],
    "with inf and nan": [4.0, np.inf, np.nan, -4.9, -4.0],
}


@pytest.mark.parametrize("kind", list(GOOD_SLOPES))
@pytest.mark.parametrize(
    "gradient", [GRADIENT, list(GRADIENT), np.array(GRADIENT), tuple(map(np.float64, GRADIENT))]
)
def test_good_slopes_draw_the_same_lines_as_before(kind, gradient, capsys):
    slopes = GOOD_SLOPES[kind]
    slopes_picture(gradient, tuple(ANGLES), slopes)
    assert capsys.readouterr().out == ""
    curve, dots = plt.gcf().axes[0].get_lines()[:2]
    theta = np.linspace(0.0, 360.0, 361)
    np.testing.assert_array_equal(curve.get_xdata(), theta)
    np.testing.assert_array_equal(
        curve.get_ydata(), directional_derivative(np.asarray(GRADIENT), theta)
    )
    np.testing.assert_array_equal(dots.get_xdata(), np.asarray(ANGLES, dtype=float))
    np.testing.assert_array_equal(dots.get_ydata(), np.asarray(slopes, dtype=float))


# --- every helper a notebook feeds with a student's values is one of HELPERS -------------------


def _student_plot_calls(path: Path) -> set[str]:
    """The gdcourse.plots functions a notebook calls with an answer variable (a name assigned
    ``____``) or a name computed from one."""
    cells = [
        "".join(c["source"])
        for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code"
    ]
    trees = [ast.parse(src) for src in cells]
    plots, student = set(), set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "gdcourse.plots"
            ):
                plots |= {alias.asname or alias.name for alias in node.names}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
                if "____" in used or used & student:
                    student |= {n.id for t in node.targets for n in ast.walk(t)
                                if isinstance(n, ast.Name)}  # fmt: skip
    called = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in plots:
                    args = [*node.args, *(k.value for k in node.keywords)]
                    names = {n.id for a in args for n in ast.walk(a) if isinstance(n, ast.Name)}
                    if names & student:
                        called.add(node.func.id)
    return called


def test_every_helper_fed_with_students_values_is_covered_here():
    notebooks = [
        *ROOT.glob("exercises/*.ipynb"),
        *ROOT.glob("solutions/*.ipynb"),
        *ROOT.glob("notebooks/*.ipynb"),
    ]
    called = set().union(*(_student_plot_calls(p) for p in notebooks))
    assert called == {"loss_curves", "slopes_picture"}
    assert called <= {helper.split()[0].rstrip(",") for helper in HELPERS}
