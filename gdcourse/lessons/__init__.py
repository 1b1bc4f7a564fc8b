"""Each lesson's questions as data: one module per notebook, named after the notebook's slug.

``notebooks/03_learning_rate.ipynb`` <-> ``gdcourse.lessons.learning_rate``;
``exercises/03_lr_exploration.ipynb`` <-> ``gdcourse.lessons.lr_exploration``.
"""
