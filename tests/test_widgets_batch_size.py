"""The batch-size explorer of lesson 05, driven from Python."""

import numpy as np
import pytest

from gdcourse import minibatch_sgd
from gdcourse.lessons.sgd import W0, problem
from gdcourse.widgets.batch_size import BatchSizeExplorer


def test_it_opens_with_the_run_it_describes():
    ex = BatchSizeExplorer(batch_size=32, lr=0.03)
    run = minibatch_sgd(problem(), W0, 0.03, 32, 6, seed=0)
    np.testing.assert_array_equal(ex.data()["losses"], run.losses)
    assert ex.readout_text.startswith(
        "batch 32, rate 0.03, seed 0: 32 updates per epoch; after 6 epochs (192 updates) loss "
        f"{run.losses[-1]:.4f}"
    )
    assert "above the minimum 0.2476" in ex.readout_text


@pytest.mark.parametrize(("name", "value"), [("batch", 64), ("lr", 0.0307), ("seed", 1)])
def test_every_control_step_changes_the_run_the_title_and_the_readout(name, value):
    ex = BatchSizeExplorer()
    ex.fig.canvas.draw()
    before = (ex.readout_text, ex._title.get_text(), ex.data()["losses"].copy())
    ex.set(**{name: value})
    assert ex.readout_text != before[0] and ex._title.get_text() != before[1]
    assert not np.array_equal(ex.data()["losses"], before[2])


def test_full_batch_is_one_update_per_epoch_and_updates_axis_follows():
    ex = BatchSizeExplorer(batch_size=1024, lr=0.3)
    assert "1 update per epoch" in ex.readout_text
    np.testing.assert_array_equal(ex.data()["updates"], np.arange(1, 7))


def test_a_rate_above_the_limit_diverges_in_words_not_an_error():
    ex = BatchSizeExplorer(batch_size=1024, lr=1.0)
    assert "diverging" in ex.readout_text


def test_a_slider_echo_does_not_recompute():
    ex = BatchSizeExplorer(lr=0.03)
    run = ex.run
    ex.set(lr=0.030000000000000002)
    assert ex.run is run


def test_controls_have_labels_and_tooltips():
    ex = BatchSizeExplorer()
    for c in ex.controls.values():
        assert c.description and c.tooltip
    assert list(ex.controls["batch"].options)[:3] == [1, 2, 4]
