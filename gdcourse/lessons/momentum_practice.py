"""Questions of ``exercises/09_momentum_practice.ipynb``: momentum and Adam by hand and in code.

Heavy ball's and Nesterov's stability limits for one momentum and curvature, two heavy-ball steps
by hand, one heavy-ball step and one Adam step written as functions (the second with its bias
correction), Adam's first move, and which runs of a list converge. The maths is the core's:
``heavy_ball_limit``, ``nesterov_limit``, ``heavy_ball_step``, ``adam_step`` and the runner.
"""

from __future__ import annotations

import numpy as np

from ..checks import ChoiceQuestion, FunctionQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    Quadratic1D,
    adam_step,
    gradient_descent,
    heavy_ball_limit,
    heavy_ball_step,
    momentum,
    nesterov_limit,
    stability_limits,
)

__all__ = [
    "ADAM_BETAS",
    "ADAM_EPS",
    "FIRST_GRADIENT",
    "FIRST_LR",
    "FIRST_W0",
    "Q1_CURVATURE",
    "Q1_MU",
    "Q2_LOSS",
    "Q2_LR",
    "Q2_MU",
    "Q2_W0",
    "RUNS",
    "RUNS_CURVATURE",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
]

LESSON = "momentum_practice"

# -- q1: two stability limits -------------------------------------------------------------------
Q1_MU, Q1_CURVATURE = 0.5, 4.0


def _limits(heavy=heavy_ball_limit, look_ahead=nesterov_limit) -> list[float]:
    return [heavy(Q1_MU) / Q1_CURVATURE, look_ahead(Q1_MU) / Q1_CURVATURE]


q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="limits",
    prompt="Momentum mu = 0.5 on a quadratic of curvature lambda = 4: the largest stable learning "
    "rate of heavy ball, then of Nesterov's momentum. A list of 2 numbers.",
    expected=_limits,
    noun="limits",
    misconceptions=(
        Misconception(
            name="order swapped",
            answer=lambda: _limits()[::-1],
            message="Right numbers, wrong order: heavy ball first, then Nesterov. Heavy ball's is "
            "the larger one.",
        ),
        Misconception(
            name="the products, not the rates",
            answer=lambda: _limits(
                lambda mu: heavy_ball_limit(mu) * Q1_CURVATURE,
                lambda mu: nesterov_limit(mu) * Q1_CURVATURE,
            ),
            message="Those bound lr * lambda. The question asks for the rates: divide by "
            "lambda = 4.",
        ),
        Misconception(
            name="plain descent's limit",
            answer=lambda: [2 / Q1_CURVATURE, 2 / Q1_CURVATURE],
            message="That is plain descent's 2/lambda, twice. Momentum changes the limit: heavy "
            "ball's is 2(1 + mu)/lambda, Nesterov's 2(1 + mu)/((1 + 2 mu) lambda).",
        ),
        Misconception(
            name="(1 - mu) for (1 + mu)",
            answer=lambda: _limits(lambda mu: 2 * (1 - mu), lambda mu: 2 * (1 - mu) / (1 + 2 * mu)),
            message="Momentum widens heavy ball's range of stable rates: look at the sign in "
            "front of mu again.",
        ),
    ),
    hints=(
        "Heavy ball is stable while lr * lambda < 2 (1 + mu); Nesterov's momentum while "
        "lr * lambda < 2 (1 + mu) / (1 + 2 mu).",
        "heavy_ball_limit(0.5) / 4 and nesterov_limit(0.5) / 4.",
    ),
    solution_code="limits = [2 * (1 + 0.5) / 4, 2 * (1 + 0.5) / (1 + 2 * 0.5) / 4]",
    explanation="0.75 and 0.375, against plain descent's 0.5: at mu = 0.5 heavy ball's range is "
    "half as long again, Nesterov's a quarter shorter.",
)


# -- q2: two heavy-ball steps by hand ------------------------------------------------------------
#: L(w) = (w - 3)^2: curvature 2, minimum at 3; from 7 at rate 0.1 with mu = 0.5.
Q2_LOSS = Quadratic1D(a=2, c=3)
Q2_W0, Q2_LR, Q2_MU, Q2_STEPS = 7.0, 0.1, 0.5, 2


def _hand_run(step) -> list[float]:
    """Two steps of a rule ``step(w, v, g) -> (w, v)`` from Q2_W0 at rest."""
    w, v, out = Q2_W0, 0.0, [Q2_W0]
    for _ in range(Q2_STEPS):
        w, v = step(w, v, float(Q2_LOSS.gradient(w)))
        out.append(w)
    return out


q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="w_by_hand",
    prompt="By hand: heavy ball on L(w) = (w - 3)^2 from w0 = 7 at rest (v0 = 0), rate 0.1, "
    "mu = 0.5. The weights of 2 steps, w0 included: 3 numbers.",
    expected=lambda: (
        gradient_descent(Q2_LOSS, Q2_W0, Q2_LR, Q2_STEPS, tol=None, update=momentum(Q2_MU)).weights
    ),
    noun="weights",
    misconceptions=(
        Misconception(
            name="plain descent",
            answer=lambda: _hand_run(lambda w, v, g: (w - Q2_LR * g, 0.0)),
            message="Those are plain descent's weights: the velocity was forgotten. The second "
            "step adds mu times the first step's velocity, v = 0.5 v - 0.1 grad.",
        ),
        Misconception(
            name="w updated before v",
            answer=lambda: _hand_run(lambda w, v, g: (w + v, Q2_MU * v - Q2_LR * g)),
            message="Your w moved by the old velocity (0 on the first step, so it stood still). "
            "Update v first, then move w by the new v.",
        ),
        Misconception(
            name="mu missing",
            answer=lambda: _hand_run(lambda w, v, g: (w + v - Q2_LR * g, v - Q2_LR * g)),
            message="The old velocity counted in full: multiply it by mu = 0.5 first, "
            "v = 0.5 v - 0.1 grad.",
        ),
        Misconception(
            name="velocity sign",
            answer=lambda: _hand_run(
                lambda w, v, g: (w + Q2_MU * v + Q2_LR * g, Q2_MU * v + Q2_LR * g)
            ),
            message="Your w moved uphill: the velocity takes minus the rate times the gradient, "
            "v = mu v - lr grad, and w moves by +v.",
        ),
    ),
    hints=(
        "The derivative of (w - 3)^2 is 2(w - 3). Each step: v = 0.5 v - 0.1 grad, then "
        "w = w + v, with grad read at the current w.",
        "Step 1: grad = 2(7 - 3) = 8, v = -0.8, w = 6.2. Step 2: grad at 6.2, v = 0.5 (-0.8) - "
        "0.1 grad, w = 6.2 + v.",
    ),
    solution_code="w_by_hand = [7, 7 - 0.8, 6.2 + (0.5 * -0.8 - 0.1 * 2 * (6.2 - 3))]  "
    "# [7, 6.2, 5.16]",
    explanation="Plain descent would be at 5.56 after two steps: the velocity carried the second "
    "step 0.4 further.",
)


# -- q3: one heavy-ball step as a function --------------------------------------------------------
_HEAVY_CASES = (
    {"w": 7.0, "v": 0.0, "grad": 8.0, "lr": 0.1, "mu": 0.5},
    {"w": 6.2, "v": -0.8, "grad": 6.4, "lr": 0.1, "mu": 0.5},
    {"w": -2.0, "v": 0.3, "grad": -1.5, "lr": 0.2, "mu": 0.9},
    {"w": 0.0, "v": 1.0, "grad": 0.0, "lr": 0.1, "mu": 0.9},  # coasting: no gradient, still moves
    {
        "w": np.array([1.0, -2.0]),
        "v": np.array([0.5, 0.25]),
        "grad": np.array([3.0, -4.0]),
        "lr": 0.05,
        "mu": 0.8,
    },
    {"w": 0.123456, "v": -0.0789, "grad": 2.468, "lr": 0.0371, "mu": 0.77},  # many digits
)

q3 = FunctionQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="heavy_ball_step",
    prompt="Write heavy_ball_step(w, v, grad, lr, mu): one heavy-ball step, v <- mu v - lr grad, "
    "then w <- w + v. Return the pair (new w, new v); w, v and grad may be numbers or arrays.",
    reference=heavy_ball_step,
    cases=frozen(_HEAVY_CASES),
    rtol=1e-7,  # float32 results pass; rounding to 6 digits or fewer does not
    misconceptions=(
        Misconception(
            name="velocity sign",
            answer=lambda: lambda w, v, grad, lr, mu: (w + mu * v + lr * grad, mu * v + lr * grad),
            message="Your steps go uphill: the velocity takes MINUS the rate times the gradient, "
            "v = mu v - lr grad.",
        ),
        Misconception(
            name="the other sign convention",
            answer=lambda: lambda w, v, grad, lr, mu: (w - mu * v - lr * grad, mu * v + lr * grad),
            message="Your new w is right on the inputs where v = 0 only, and your velocity has "
            "the opposite sign. Some books write v = mu v + lr grad and w = w - v; here v is the "
            "move itself, v = mu v - lr grad and w = w + v, and the v you are given follows "
            "that convention.",
        ),
        Misconception(
            name="the velocity's sign alone",
            answer=lambda: lambda w, v, grad, lr, mu: (w + mu * v - lr * grad, lr * grad - mu * v),
            message="Your new w is right; the new v you return has the opposite sign. Return "
            "the v that moved w: v = mu v - lr grad, and w + v.",
        ),
        Misconception(
            name="w updated before v",
            answer=lambda: lambda w, v, grad, lr, mu: (w + v, mu * v - lr * grad),
            message="Your w moved by the old velocity. Compute the new v first, then move w by "
            "the new v.",
        ),
        Misconception(
            name="mu missing",
            answer=lambda: lambda w, v, grad, lr, mu: (w + v - lr * grad, v - lr * grad),
            message="The old velocity counts in full in your step: multiply it by mu first, "
            "v = mu v - lr grad.",
        ),
        Misconception(
            name="velocity forgotten",
            answer=lambda: lambda w, v, grad, lr, mu: (w - lr * grad, -lr * grad),
            message="That is plain descent's step: the old velocity v is not used. The new one "
            "is mu v - lr grad.",
        ),
        Misconception(
            name="order swapped",
            answer=lambda: (
                lambda w, v, grad, lr, mu: tuple(reversed(heavy_ball_step(w, v, grad, lr, mu)))
            ),
            message="Right numbers, in the wrong order: return (new w, new v).",
        ),
    ),
    trivial=(lambda w, v, grad, lr, mu: (w, v),),
    hints=(
        "Two lines: first the new velocity from the old one and the gradient, then the new w "
        "from the new velocity. Return both.",
        "v = mu * v - lr * grad\nw = w + v\nreturn w, v",
    ),
    solution_code="def heavy_ball_step(w, v, grad, lr, mu):\n"
    "    v = mu * v - lr * grad\n"
    "    return w + v, v",
    points=2,
)


# -- q4: one Adam step, with its bias correction --------------------------------------------------
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8


def _adam_variant(
    *, correct=True, store_corrected=False, root=True, swap=False, eps_inside=False, eps=ADAM_EPS
):
    def step(w, m, s, grad, t, lr):  # q4's misconceptions (the defaults: none of them)
        b1, b2 = ADAM_BETAS[::-1] if swap else ADAM_BETAS
        m, s = b1 * m + (1 - b1) * grad, b2 * s + (1 - b2) * grad * grad
        m_hat, s_hat = (m / (1 - b1**t), s / (1 - b2**t)) if correct else (m, s)
        root_s = np.sqrt(s_hat + eps) if eps_inside else (np.sqrt(s_hat) if root else s_hat)
        new_w = w - lr * m_hat / (root_s + (0 if eps_inside else eps))
        return (new_w, m_hat, s_hat) if store_corrected else (new_w, m, s)

    return step


def _right_adam(w, m, s, grad, t, lr):
    return adam_step(w, m, s, grad, t, lr, *ADAM_BETAS, ADAM_EPS)


_ADAM_CASES = (
    {"w": 1.0, "m": 0.0, "s": 0.0, "grad": 250.0, "t": 1, "lr": 0.01},
    {"w": -1.0, "m": 0.0, "s": 0.0, "grad": -0.003, "t": 1, "lr": 0.05},  # small: still lr
    {"w": 0.99, "m": 25.0, "s": 62.5, "grad": 240.0, "t": 2, "lr": 0.01},
    {
        "w": np.array([0.5, -3.0]),
        "m": np.array([0.02, -0.4]),
        "s": np.array([0.001, 0.05]),
        "grad": np.array([0.1, -0.2]),
        "t": 5,
        "lr": 0.001,
    },
    {"w": 2.0, "m": -0.3, "s": 0.2, "grad": 0.5, "t": 100, "lr": 0.1},
)

q4 = FunctionQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="adam_step",
    prompt="Write adam_step(w, m, s, grad, t, lr): step t (counted from 1) of Adam with beta1 = "
    "0.9, beta2 = 0.999, eps = 1e-8. Update m and s, correct them for starting at 0, move w; "
    "return (new w, new m, new s) with m and s as stored, uncorrected.",
    reference=_right_adam,
    cases=frozen(_ADAM_CASES),
    rtol=1e-7,
    atol=1e-15,  # s can be 1e-8 small: an absolute tolerance of its size would pass s = 0
    misconceptions=(
        Misconception(
            name="no bias correction",
            answer=lambda: _adam_variant(correct=False),
            message="Your w moves by the raw averages m and s. They start at 0, so early on they "
            "are too small by 1 - beta^t: divide m by 1 - 0.9^t and s by 1 - 0.999^t before the "
            "move (step 1 then moves by about lr).",
        ),
        Misconception(
            name="corrected averages stored",
            answer=lambda: _adam_variant(store_corrected=True),
            message="Your new w is right, but you returned the corrected averages as the new m "
            "and s. The correction is for the move only: keep m and s uncorrected, or the next "
            "step corrects them twice.",
        ),
        Misconception(
            name="square root forgotten",
            answer=lambda: _adam_variant(root=False),
            message="Divide by the square root of the corrected s (a root-mean-square, in the "
            "gradient's units), not by s itself.",
        ),
        Misconception(
            name="betas swapped",
            answer=lambda: _adam_variant(swap=True),
            message="beta1 = 0.9 averages the gradient (m), beta2 = 0.999 its square (s): yours "
            "are the other way round.",
        ),
        Misconception(
            name="eps forgotten",
            answer=lambda: _adam_variant(eps=0.0),
            message="Your eps is missing, or not 1e-8: add exactly eps = 1e-8 to the square root "
            "before dividing: it changes little "
            "where the gradient is large, and it is what keeps a small gradient's step finite "
            "(the second input's gradient is small enough for it to show).",
        ),
        Misconception(
            name="uphill",
            answer=lambda: (
                lambda w, m, s, grad, t, lr: (
                    2 * w - _right_adam(w, m, s, grad, t, lr)[0],
                    *_right_adam(w, m, s, grad, t, lr)[1:],
                )
            ),
            message="Your averages are right and your w moves uphill: subtract "
            "lr m_hat / (sqrt(s_hat) + eps) from w.",
        ),
        Misconception(
            name="m and s swapped",
            answer=lambda: (
                lambda w, m, s, grad, t, lr: (
                    _right_adam(w, m, s, grad, t, lr)[0],
                    *_right_adam(w, m, s, grad, t, lr)[:0:-1],
                )
            ),
            message="Right numbers, but m and s in the wrong order: return (new w, new m, new s).",
        ),
        Misconception(
            name="eps inside the root",
            answer=lambda: _adam_variant(eps_inside=True),
            message="You added eps under the square root, sqrt(s_hat + eps), as some libraries "
            "do. Here it is added after: sqrt(s_hat) + eps. The two differ where the gradient is "
            "small, as on the second input.",
        ),
    ),
    trivial=(lambda w, m, s, grad, t, lr: (w, m, s),),
    hints=(
        "First the two averages, each a mix of its old value and the new gradient (m) or its "
        "square (s); then each divided by 1 - beta^t, beta1 for m and beta2 for s; then the move, "
        "lr times m_hat over the square root of s_hat plus eps. Return the averages before "
        "their correction.",
        "m = 0.9 * m + 0.1 * grad\ns = 0.999 * s + 0.001 * grad**2\n"
        "m_hat = m / (1 - 0.9**t)\ns_hat = s / (1 - 0.999**t)\n"
        "return w - lr * m_hat / (np.sqrt(s_hat) + 1e-8), m, s",
    ),
    solution_code="def adam_step(w, m, s, grad, t, lr):\n"
    "    m = 0.9 * m + 0.1 * grad\n"
    "    s = 0.999 * s + 0.001 * grad**2\n"
    "    m_hat = m / (1 - 0.9**t)\n"
    "    s_hat = s / (1 - 0.999**t)\n"
    "    return w - lr * m_hat / (np.sqrt(s_hat) + 1e-8), m, s",
    points=2,
)


# -- q5: Adam's first move ------------------------------------------------------------------------
#: Two parameters whose gradients differ 400-fold, one Adam step at rate 0.01 from rest.
FIRST_W0 = frozen((5.0, -2.0))
FIRST_GRADIENT = frozen((200.0, -0.5))
FIRST_LR = 0.01


def _first_move(step=_right_adam) -> np.ndarray:
    """The first move from rest (m = s = 0, t = 1) of an Adam step, right or wrong."""
    w0 = np.array(FIRST_W0)
    return step(w0, 0.0, 0.0, np.array(FIRST_GRADIENT), 1, FIRST_LR)[0] - w0


q5 = NumberQuestion(
    lesson=LESSON,
    name="q5",
    answer_var="first_move",
    prompt="Adam (beta1 = 0.9, beta2 = 0.999, eps = 1e-8) at rate 0.01, from rest at w0 = (5, -2) "
    "where the gradient is (200, -0.5): how far does its first step move each parameter? "
    "The two signed moves w1 - w0.",
    expected=lambda: _first_move(_right_adam),
    noun="moves",
    misconceptions=(
        Misconception(
            name="plain descent's moves",
            answer=lambda: -FIRST_LR * np.array(FIRST_GRADIENT),
            message="Those are plain descent's moves, -lr grad: 400 times apart. Adam divides "
            "each parameter's average gradient by its own root-mean-square.",
        ),
        Misconception(
            name="no bias correction",
            answer=lambda: _first_move(_adam_variant(correct=False)),
            message="Those are the moves without the bias correction: m = 0.1 grad and "
            "sqrt(s) = sqrt(0.001) |grad| make them 3.16 lr. Corrected, m_hat = grad and "
            "s_hat = grad^2.",
        ),
        Misconception(
            name="the new point",
            answer=lambda: np.array(FIRST_W0) + _first_move(),
            message="That is the new point w1. The question asks for the moves w1 - w0.",
        ),
        Misconception(
            name="with the gradient",
            answer=lambda: -_first_move(),
            message="Your moves go with each gradient's sign, uphill: Adam subtracts "
            "lr m_hat / (sqrt(s_hat) + eps), so each parameter moves against its gradient.",
        ),
        Misconception(
            name="sizes without signs",
            answer=lambda: np.abs(_first_move()),
            message="The right sizes; now the signs: each parameter moves against its gradient.",
        ),
    ),
    hints=(
        "At step 1 from m = s = 0 the corrected averages are m_hat = grad and s_hat = grad^2, "
        "so the move is -lr grad / (|grad| + eps).",
        "Each parameter moves by about lr against the sign of its gradient, whatever the "
        "gradient's size: [-0.01, +0.01].",
    ),
    solution_code="first_move = [-0.01 * 200 / (200 + 1e-8), 0.01 * 0.5 / (0.5 + 1e-8)]  "
    "# about [-0.01, 0.01]: eps changes the 8th digit",
    explanation="Both move by 0.01 though their gradients differ 400-fold: Adam's first step is "
    "lr per parameter, which is why its rate reads as a distance (1e-3 by default).",
)


# -- q6: which runs converge ----------------------------------------------------------------------
#: L(w) = 2 w^2 (curvature 4), and runs {label: (method, lr, mu)}; plain descent is heavy ball
#: at mu = 0.
RUNS_CURVATURE = 4.0
RUNS = frozen(
    {
        "A": ("heavy_ball", 0.6, 0.0),
        "B": ("heavy_ball", 0.6, 0.5),
        "C": ("nesterov", 0.6, 0.5),
        "D": ("heavy_ball", 0.9, 0.9),
        "E": ("nesterov", 0.3, 0.9),
    }
)


def _fates() -> dict[str, str]:
    return {
        label: "converges"
        if lr * RUNS_CURVATURE < float(stability_limits(mu, method)[0])
        else "diverges"
        for label, (method, lr, mu) in RUNS.items()
    }


_LIMITS_AGAIN = (
    "Compare lr * lambda with the run's own limit: 2 for plain descent, 2 (1 + mu) for heavy "
    "ball, 2 (1 + mu) / (1 + 2 mu) for Nesterov's momentum."
)

q6 = ChoiceQuestion(
    lesson=LESSON,
    name="q6",
    answer_var="fates",
    prompt="On L(w) = 2 w^2 (curvature 4), does each run 'converges' or 'diverges'?",
    expected=_fates,
    choices=("converges", "diverges"),
    key_name="case",
    confusions={("converges", "diverges"): _LIMITS_AGAIN, ("diverges", "converges"): _LIMITS_AGAIN},
    hints=(
        "Multiply each run's rate by 4, then compare with its method's limit at its mu.",
        "A: 2.4 against 2. B: 2.4 against 3. C: 2.4 against 1.5. D: 3.6 against 3.8. E: 1.2 "
        "against 2 (1.9) / 2.8.",
    ),
    solution_code="fates = {'A': 'diverges', 'B': 'converges', 'C': 'diverges', "
    "'D': 'converges', 'E': 'converges'}",
    explanation="The same rate 0.6 diverges plainly, converges with heavy ball and diverges with "
    "Nesterov at the same mu: momentum moves the limit, and the two kinds move it in opposite "
    "directions.",
    points=2,
)
