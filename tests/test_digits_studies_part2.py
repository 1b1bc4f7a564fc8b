"""Lesson 10 part 2's stored studies (momentum and Adam sweeps, the sharpness along gradient
descent, scikit-learn's sweeps) regenerated and compared at the displayed precision, and the
bridge checked: scikit-learn's weights read into the course's network give its predictions.
(A module of its own, so pytest's two workers share the regeneration with part 1's.)"""

import warnings

import numpy as np
import pytest

from gdcourse import digits
from gdcourse.core import ENDED_ABOVE, RateSweep, SharpnessStudy

STORED = digits.stored_studies()
PART2 = ["momentum", "adam", "mse_sharpness", "ce_sharpness", "sklearn", "sklearn_defaults"]


def _compare_sharpness(new: SharpnessStudy, old: SharpnessStudy, sensitive: np.ndarray) -> None:
    np.testing.assert_array_equal(new.rates, old.rates)
    np.testing.assert_array_equal(new.steps, old.steps)
    calm = ~sensitive
    np.testing.assert_allclose(new.sharpness[calm], old.sharpness[calm], rtol=1e-4)
    # Past the first moved reading chaos rules, but a window's median holds to 0.5% (the lesson
    # says so).
    start = digits.SHARPNESS["plateau_from"]
    if new.steps[-1] >= start:
        np.testing.assert_allclose(new.plateau(start), old.plateau(start), rtol=0.005)
    for i in range(new.rates.size):  # the losses up to the first moved reading
        moved = np.flatnonzero(sensitive[i])
        upto = old.steps[moved[0]] if moved.size else old.losses.shape[1]
        np.testing.assert_allclose(new.losses[i, :upto], old.losses[i, :upto], rtol=1e-4)


@pytest.mark.parametrize("name", PART2)
def test_the_core_regenerates_part_twos_study_at_the_displayed_precision(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scikit-learn's own warnings would be a change in it
        new = digits.compute_study(name)
    old, sensitive = getattr(STORED, name), STORED.sensitive[name]
    if isinstance(old, SharpnessStudy):
        _compare_sharpness(new, old, sensitive)
        if name == "mse_sharpness":  # the lesson's claims, on this machine's own runs
            levels = new.plateau(digits.SHARPNESS["plateau_from"])
            assert np.all(np.abs(levels / new.thresholds - 1) < 0.02)
            for losses in new.losses:
                assert np.median(losses[-1000:]) < np.median(losses[-2000:-1000])
        return
    assert isinstance(new, RateSweep)
    np.testing.assert_array_equal(new.rates, old.rates)
    calm = ~sensitive
    np.testing.assert_array_equal(new.accuracy[calm], old.accuracy[calm])
    np.testing.assert_allclose(new.final_loss[calm], old.final_loss[calm], rtol=1e-4)
    # A status no last-bit change can flip: the final loss twice the threshold, or half of it.
    threshold = ENDED_ABOVE * np.log(10)
    clear = (old.final_loss >= 2 * threshold) | (old.final_loss <= threshold / 2)
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(new.diverged[clear], old.diverged[clear])


def test_the_sharpness_comparison_can_fail():
    old = STORED.mse_sharpness
    off = old.sharpness.copy()
    off[0, 3] *= 1.001  # a calm reading off by a tenth of a percent
    wrong = SharpnessStudy(old.rates, old.steps, off, old.losses)
    with pytest.raises(AssertionError):
        _compare_sharpness(old, wrong, STORED.sensitive["mse_sharpness"])


def test_scikit_learns_weights_in_the_courses_network_give_its_predictions():
    from sklearn.neural_network import MLPClassifier

    d = digits.load_digits_split()
    model = MLPClassifier(
        hidden_layer_sizes=(digits.HIDDEN,), activation="tanh", solver="sgd",
        learning_rate_init=0.3, batch_size=32, max_iter=2, random_state=0, **digits.SKLEARN_PLAIN,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(d.X_train, d.y_train)
    w = np.concatenate(
        [model.coefs_[0].ravel(), model.intercepts_[0], model.coefs_[1].ravel(),
         model.intercepts_[1]]
    )  # fmt: skip
    val = d.network("val")
    np.testing.assert_array_equal(val.predict(w), model.predict(d.X_val))
    # Its log-loss on the training rows is the course's cross-entropy there.
    np.testing.assert_allclose(
        d.network("train").value(w),
        -np.mean(np.log(model.predict_proba(d.X_train)[np.arange(1000), d.y_train])),
        rtol=1e-9,
    )


def test_the_runs_part_two_states_are_calm():
    sens = STORED.sensitive
    # Every rate up to the largest whose accuracies the lesson states is calm: momentum to 0.1
    # (at 0.3, near its blow-up, one run is chaotic), Adam to 0.03, scikit-learn's plain sweep
    # to 1 and with its defaults to 0.3.
    for name, last in (
        ("momentum", 0.1),
        ("adam", 0.03),
        ("sklearn", 1.0),
        ("sklearn_defaults", 0.3),
    ):
        rates = list(getattr(STORED, name).rates)
        assert not sens[name][: rates.index(last) + 1].any(), name
    # Past them, every chaotic run is past the good band: momentum 0.3 (one seed) and on.
    assert sens["momentum"][list(STORED.momentum.rates).index(0.3)].tolist() == [True, False, False]
    # The sharpness before each run first rises past 2 / lr is calm.
    mse = STORED.mse_sharpness
    for i, threshold in enumerate(mse.thresholds):
        first_at = np.argmax(mse.sharpness[i] >= threshold)
        assert not sens["mse_sharpness"][i, :first_at].any()
