"""Questions of ``exercises/10_network_practice.ipynb``: lesson 10's network on the digits.

Reading the range test's suggested rate, predicting which rates of the stored sweep diverge,
the updates in one epoch, the last layer's gradient written as a function, and a Hessian-vector
product from two gradients (part 2's sharpness is built from it). The numbers are the core's and
the digits module's: ``range_test``, ``stored_studies``, ``updates_per_epoch``,
``last_layer_gradient`` and ``hessian_vector_product``.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import digits
from ..checks import ChoiceQuestion, FunctionQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    MLP,
    QuadraticBowl,
    RangeTest,
    Rosenbrock,
    SaddleWithMinima,
    hessian_vector_product,
    last_layer_gradient,
    range_test,
    updates_per_epoch,
)
from ..digits import SPLIT_SIZES, SWEEP_BATCH, load_digits_split, stored_studies

__all__ = ["EPOCH_BATCH", "TRAIN_ROWS", "q1", "q2", "q3", "q4", "q5"]

LESSON = "network_practice"


# -- q1: the range test's suggested rate --------------------------------------------------------
@functools.cache
def _range_test() -> RangeTest:
    """The lesson's range test (RANGE_TEST) on the training rows, from init(seed)."""
    net = load_digits_split().network("train")
    settings = {k: v for k, v in digits.RANGE_TEST.items() if k != "seed"}
    seed = digits.RANGE_TEST["seed"]
    return range_test(net, net.init(seed), seed=seed, **settings)


q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="suggested_lr",
    prompt="The range test of the 64-32-10 network on the training rows: the rate the rule of "
    "thumb suggests for training.",
    expected=lambda: _range_test().suggested,
    rtol=0.05,  # read off the printed test: 2 significant digits are enough
    atol=0.0,
    noun="rate",
    misconceptions=(
        Misconception(
            name="the blow-up itself",
            answer=lambda: _range_test().blow_up,
            message="That is the rate where the loss blew up: the most the network survives "
            "for a moment, not a rate to train at for many epochs. The rule of thumb "
            "keeps a safety factor below it.",
        ),
        Misconception(
            name="the rate at the minimum",
            answer=lambda: _range_test().at_minimum,
            message="That is where the smoothed loss was lowest during the test. The rule of "
            "thumb reads the blow-up instead, a clearer landmark, and steps well below it.",
        ),
        Misconception(
            name="a tenth of the minimum's rate",
            answer=lambda: _range_test().at_minimum / 10,
            message="You took a tenth of the rate at the lowest loss. The rule of thumb starts "
            "from another landmark of the test: the blow-up.",
        ),
        Misconception(
            name="ten times above",
            answer=lambda: _range_test().blow_up * 10,
            message="That is ten times above the blow-up: the factor goes the other way, to a "
            "smaller, safer rate.",
        ),
        Misconception(
            name="a rate of the sweep",
            answer=lambda: max(r for r in digits.SWEEP_RATES if r < _range_test().suggested),
            message="That is a rate of the stored sweep, not what this range test reads: take "
            "the blow-up it printed and apply the rule of thumb to it.",
        ),
    ),
    hints=(
        "Printing the test shows two rates: where the loss blew up and where it was lowest. "
        "The rule of thumb starts from one of them and divides by a safety factor.",
        "Lesson 06's rule of thumb keeps well clear of the blow-up: an order of magnitude below "
        "it, not at the lowest point of the curve.",
    ),
    solution_code="suggested_lr = test.blow_up / 10",
    explanation="A tenth of the blow-up leaves room for the noise of small batches and for "
    "the loss surface changing as the network trains.",
)


# -- q2: which rates of the stored sweep diverge ------------------------------------------------
def _fates() -> dict[float, str]:
    """The stored sweep: 'diverges' where every seed's run diverged, else 'trains'."""
    sweep = stored_studies().sweep
    every = sweep.diverged.all(axis=1)
    return {
        float(r): "diverges" if d else "trains" for r, d in zip(sweep.rates, every, strict=True)
    }


_FATE_HINT = (
    "Compare this rate with the two readings of the range test: a constant rate held for 20 "
    "epochs has no more room than the rising rate of the test had."
)

q2 = ChoiceQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="fates",
    prompt="The stored sweep trains the network for 20 epochs at batch 32 from 3 seeds at each "
    "rate: does each rate 'trains' or 'diverges' (every seed's run blowing up)?",
    expected=_fates,
    choices=("trains", "diverges"),
    key_name="rate",
    confusions={("trains", "diverges"): _FATE_HINT, ("diverges", "trains"): _FATE_HINT},
    words={
        "converges": "A network's loss is not driven to 0 in 20 epochs, so the sweep does not "
        "say 'converges': its labels are 'trains' and 'diverges'.",
    },
    hints=(
        "Compare each rate of the sweep with the two readings of the range test printed in "
        "section 1.",
        "A rate past the blow-up throws the network off on every seed; a rate below it trains.",
    ),
    solution_code="fates = {r: 'diverges' if r > test.blow_up else 'trains' for r in SWEEP_RATES}",
    explanation="The range test predicted the sweep: the largest rate below the blow-up trains "
    "best, and the first one above it blows up on every seed.",
    points=2,
)


# -- q3: updates in one epoch -------------------------------------------------------------------
TRAIN_ROWS = SPLIT_SIZES[0]
#: A batch size that does not divide the 1,000 training rows.
EPOCH_BATCH = 48

q3 = NumberQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="updates",
    prompt="Mini-batches of 48 from the 1,000 training rows: how many updates make one epoch?",
    expected=lambda: updates_per_epoch(TRAIN_ROWS, EPOCH_BATCH),
    rtol=0.0,
    atol=0.0,
    noun="updates",
    misconceptions=(
        Misconception(
            name="not rounded up",
            answer=lambda: TRAIN_ROWS / EPOCH_BATCH,
            message="That is 1000 / 48 as a fraction. An update uses one whole batch: count "
            "the batches, the last smaller one included.",
        ),
        Misconception(
            name="rounded down",
            answer=lambda: TRAIN_ROWS // EPOCH_BATCH,
            message="That counts the full batches only. The rows left over still form a batch, "
            "and that batch is an update too.",
        ),
        Misconception(
            name="every epoch's updates",
            answer=lambda: updates_per_epoch(TRAIN_ROWS, EPOCH_BATCH) * 20,
            message="That is the updates of the sweep's 20 epochs. The question asks for one "
            "epoch: one pass over the 1,000 rows.",
        ),
        Misconception(
            name="the sweep's batch size",
            answer=lambda: updates_per_epoch(TRAIN_ROWS, SWEEP_BATCH),
            message="That is the count for the sweep's batch of 32. This question's batch is 48.",
        ),
    ),
    hints=(
        "One epoch is one pass over every training row, one update per mini-batch. Does 48 "
        "divide 1000?",
        "The batches are 48 rows each until the rows run out; the last batch is smaller, and "
        "it is still one update.",
    ),
    solution_code="updates = math.ceil(1000 / 48)",
    explanation="20 full batches of 48 take 960 rows; the last 40 make a 21st, smaller batch.",
)


# -- q4: the last layer's gradient -------------------------------------------------------------
def _softmax_rows(scores, axis=1):
    z = np.exp(scores - np.max(scores, axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def _layer(mean=True, softmax=True, one_hot=True, axis=1, sign=1.0):
    def gradient(hidden, scores, labels):  # q4's misconceptions (the defaults: none of them)
        B, k = np.shape(scores)
        P = _softmax_rows(scores, axis) if softmax else np.asarray(scores, dtype=float)
        G = sign * (P - (np.eye(k)[labels] if one_hot else 0.0)) / (B if mean else 1)
        return np.asarray(hidden).T @ G, G.sum(axis=0)

    return gradient


def _batch(seed: int, rows: int, hidden: int, classes: int, spread: float) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "hidden": np.tanh(rng.normal(size=(rows, hidden))),
        "scores": spread * rng.normal(size=(rows, classes)),
        "labels": rng.integers(0, classes, size=rows),
    }


#: No case's scores overflow exp(): a softmax without its row maximum subtracted passes too
#: (a correct formula, unstabilised, is not called wrong; the notebook says why to subtract it).
_LAYER_CASES = (
    # (Two rows and unequal scores from the first case on: one row of equal scores cannot tell a
    # mean from a sum, nor a softmax from a sigmoid.)
    {
        "hidden": np.array([[1.0, 0.0], [0.5, -1.0]]),
        "scores": np.array([[0.5, -0.5], [1.0, 2.0]]),
        "labels": np.array([1, 0]),
    },
    {
        "hidden": np.array([[0.5, -0.25], [0.75, 0.1], [-0.3, 0.9]]),
        "scores": np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-1.5, 3.0, 0.0]]),
        "labels": np.array([0, 2, 1]),
    },
    _batch(10, 5, 4, 3, 1.3),
    _batch(11, 8, 6, 10, 2.7),  # the digits' 10 classes
)

q4 = FunctionQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="last_layer_gradient",
    prompt="Write last_layer_gradient(hidden, scores, labels): the gradient of a batch's mean "
    "softmax cross-entropy with respect to the last layer. Return the pair (dW2, db2).",
    reference=last_layer_gradient,
    cases=frozen(_LAYER_CASES),
    returns=("dW2", "db2"),
    rtol=1e-5,  # a right formula computed in float32 is right (its rounding is about 1e-7)
    atol=1e-9,
    misconceptions=(
        Misconception(
            name="a sum, not a mean",
            answer=lambda: _layer(mean=False),
            message="Your gradient is right for the batch's summed loss: the loss here is the "
            "mean over the B rows, so every entry is B times too large.",
        ),
        Misconception(
            name="no softmax",
            answer=lambda: _layer(softmax=False),
            message="You used the raw scores where the probabilities belong: turn each row of "
            "scores into probabilities with the softmax first.",
        ),
        Misconception(
            name="one-hot not subtracted",
            answer=lambda: _layer(one_hot=False),
            message="Your G is the probabilities alone: the gradient of cross-entropy is the "
            "probabilities minus the one-hot rows of the labels (the right class loses 1).",
        ),
        Misconception(
            name="softmax over the batch",
            answer=lambda: _layer(axis=0),
            message="Your softmax normalises each column (over the batch, axis=0). Each row "
            "holds one example's scores: normalise along axis=1.",
        ),
        Misconception(
            name="sign",
            answer=lambda: _layer(sign=-1.0),
            message="Your gradient points the other way: it is probabilities minus one-hot, "
            "not one-hot minus probabilities.",
        ),
    ),
    hints=(
        "Three steps: the probabilities (a softmax of each row of scores), then G, their "
        "difference from the one-hot labels divided by the batch size, then dW2 from hidden "
        "and G, and db2 from G alone.",
        "P = np.exp(scores - scores.max(axis=1, keepdims=True)); P /= P.sum(axis=1, "
        "keepdims=True); G = (P - np.eye(k)[labels]) / B; dW2 = hidden.T @ G; db2 = "
        "G.sum(axis=0).",
    ),
    solution_code="def last_layer_gradient(hidden, scores, labels):\n"
    "    B, k = scores.shape\n"
    "    P = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
    "    P = P / P.sum(axis=1, keepdims=True)\n"
    "    G = (P - np.eye(k)[labels]) / B\n"
    "    return hidden.T @ G, G.sum(axis=0)",
    points=2,
)


# -- q5: a Hessian-vector product from two gradients --------------------------------------------
def _central_hvp(loss, w, v, h):
    """(g(w + h v) - g(w - h v)) / (2 h), as the prompt writes it, by the core's
    hessian_vector_product. The core steps by step * max(|w|, 1) along v / |v| and scales the
    difference by |v|: step = h |v| / max(|w|, 1) lands on the same two points w +- h v."""
    w, v = np.asarray(w, dtype=float), np.asarray(v, dtype=float)
    step = float(h) * float(np.linalg.norm(v)) / max(float(np.linalg.norm(w)), 1.0)
    return hessian_vector_product(loss, w, v, step=step)


def _network_case() -> dict:
    """A small tanh network with the squared error (part 2's), at its seeded start."""
    rng = np.random.default_rng(10)
    net = MLP(rng.normal(size=(6, 3)), rng.integers(0, 3, size=6), 4, loss="mse", n_classes=3)
    return {"loss": net, "w": net.init(10), "v": 0.25 * rng.normal(size=net.shape), "h": 0.3}


#: The loss is passed, not a gradient function: a case is pickled once and each call gets a deep
#: copy of it, and a course loss is copied with it (sealed, its arrays read-only), while a plain
#: function is shared by every call (and a lambda cannot be pickled at all). On the bowl every
#: difference is exact; the others curve more than a quadratic, with steps h large enough that a
#: one-sided difference is off by far more than the tolerance. No h is 1/2 (2h = 1 would make a
#: missing division right), and no v is all ones (stepping w + h would be right).
_HVP_CASES = (
    {
        "loss": QuadraticBowl([1.0, 5.0]),
        "w": np.array([0.3, -0.2]),
        "v": np.array([0.7, -0.3]),
        "h": 0.1,
    },
    {
        "loss": Rosenbrock(a=1, b=10),
        "w": np.array([0.6, 0.8]),
        "v": np.array([0.6, -0.5]),  # |v| is not 1: an answer that normalises v is caught
        "h": 0.1,
    },
    {"loss": SaddleWithMinima(), "w": np.array([0.4, 0.9]), "v": np.array([0.5, 1.0]), "h": 0.2},
    _network_case(),
    # many digits: a rounded result does not pass
    {
        "loss": Rosenbrock(a=1, b=10),
        "w": np.array([-0.73, 0.41]),
        "v": np.array([0.37, 0.29]),
        "h": 0.0431,
    },
)

_ONE_SIDED = (
    "It is exact on a quadratic, but on a loss that curves more (the valley, the saddle's "
    "quartic, the network) a one-sided difference is off by a term of order h. The central "
    "difference steps both ways from w, to w + h v and to w - h v."
)

q5 = FunctionQuestion(
    lesson=LESSON,
    name="q5",
    answer_var="hvp",
    prompt="Write hvp(loss, w, v, h): the Hessian-vector product H v at w estimated from two "
    "gradients, (g(w + h v) - g(w - h v)) / (2h), where g is loss.gradient.",
    reference=_central_hvp,
    forbidden=(hessian_vector_product,),  # the core's own product: the answer, not a tool
    cases=frozen(_HVP_CASES),
    # A right formula in float32 (its points and gradients rounded to 7 digits, then divided by
    # 2h) is within a tenth of this; every mistake below is thousands of times outside it.
    rtol=1e-5,
    atol=1e-6,
    # On the bowl every difference is exact: an answer right only where a one-sided difference
    # (or a step of v whatever h) is right too earns no partial credit.
    trivial=(
        lambda loss, w, v, h: (loss.gradient(w + h * v) - loss.gradient(w)) / h,
        lambda loss, w, v, h: (loss.gradient(w + v) - loss.gradient(w - v)) / 2,
    ),
    misconceptions=(
        Misconception(
            name="a smaller step",
            answer=lambda: lambda loss, w, v, h: _central_hvp(loss, w, v, h / 100),
            message="That is H v itself, or its estimate at a much smaller step than h: the "
            "check asks for the estimate at the h it passes, which differs from H v by a term "
            "of order h squared.",
        ),
        Misconception(
            name="not divided by the step",
            answer=lambda: (
                lambda loss, w, v, h: loss.gradient(w + h * v) - loss.gradient(w - h * v)
            ),
            message="Your result is the difference of the two gradients itself, 2h times H v: "
            "divide it by how far apart the two points are, 2h (in steps of v).",
        ),
        Misconception(
            name="divided by h",
            answer=lambda: (
                lambda loss, w, v, h: (loss.gradient(w + h * v) - loss.gradient(w - h * v)) / h
            ),
            message="Twice as large as it should be: w + h v and w - h v are 2h apart (in steps "
            "of v), so divide by 2h, not by h.",
        ),
        Misconception(
            name="forward difference",
            answer=lambda: lambda loss, w, v, h: (loss.gradient(w + h * v) - loss.gradient(w)) / h,
            message=f"That is the one-sided forward difference (g(w + h v) - g(w)) / h. "
            f"{_ONE_SIDED}",
        ),
        Misconception(
            name="backward difference",
            answer=lambda: lambda loss, w, v, h: (loss.gradient(w) - loss.gradient(w - h * v)) / h,
            message=f"That is the one-sided backward difference (g(w) - g(w - h v)) / h. "
            f"{_ONE_SIDED}",
        ),
        Misconception(
            name="sign",
            answer=lambda: (
                lambda loss, w, v, h: (
                    (loss.gradient(w - h * v) - loss.gradient(w + h * v)) / (2 * h)
                )
            ),
            message="Your H v points the other way: subtract the gradient at w - h v from the "
            "one at w + h v, not the reverse.",
        ),
        Misconception(
            name="the loss for the gradient",
            answer=lambda: (
                lambda loss, w, v, h: (loss.value(w + h * v) - loss.value(w - h * v)) / (2 * h)
            ),
            message="Your result is one number: a difference of the loss's values, which is the "
            "slope of the loss along v. H v is a vector, how the gradient changes along v: "
            "take the difference of loss.gradient at the two points.",
        ),
        Misconception(
            name="h times 2 read as h / 2",
            answer=lambda: (
                lambda loss, w, v, h: (loss.gradient(w + h * v) - loss.gradient(w - h * v)) / 2 * h
            ),
            message="Check the brackets: / 2 * h divides by 2 and then multiplies by h. "
            "Write / (2 * h).",
        ),
        Misconception(
            name="stepped along every axis",
            answer=lambda: (
                lambda loss, w, v, h: (loss.gradient(w + h) - loss.gradient(w - h)) / (2 * h)
            ),
            message="You stepped every coordinate of w by h (w + h and w - h): that moves along "
            "the direction of all ones, not along v. The step is h times v.",
        ),
    ),
    hints=(
        "H v is how the gradient changes as w moves along v, and loss.gradient(point) gives the "
        "gradient at any point. Which two points does the formula take it at, and how far "
        "apart are they?",
        "The two points are w + h * v and w - h * v, 2h apart in steps of v. Subtract the "
        "gradient at the second from the gradient at the first, and divide by that distance "
        "(the whole of it, in brackets). The result has the shape of w.",
    ),
    solution_code="def hvp(loss, w, v, h):\n"
    "    return (loss.gradient(w + h * v) - loss.gradient(w - h * v)) / (2 * h)",
    explanation="Two gradients give H v whatever the number of parameters: part 2's sharpness "
    "repeats this product a few dozen times (Lanczos' method) and never forms the network's "
    "Hessian. The central difference's error shrinks like h squared, a one-sided one's only "
    "like h; on a quadratic both are exact.",
    points=2,
)
