"""The numpy-only core of the course: every computation, one module per concept.

Losses, data, update rules, the descent runners and their statuses, schedules, the quadratic
model, mini-batch noise, saddles, measurements read off runs (the range test among them),
directions and angles, finite differences and random matrices. ``docs/design.md`` maps each
concept to its module, and a test keeps the map and the modules in step. Every public name of
every module is public here too. Nothing here imports matplotlib or ipywidgets, so
``import gdcourse`` stays fast.
"""

from importlib import import_module

#: The concept modules whose public names make up the core's (docs/design.md maps them).
MODULES = tuple(
    import_module(f"{__name__}.{name}")
    for name in (
        "batches",
        "data",
        "descent",
        "directions",
        "errors",
        "gradient_check",
        "losses",
        "measurements",
        "momentum",
        "network",
        "placeholder",
        "quadratic",
        "random_matrices",
        "saddles",
        "schedules",
        "sharpness",
        "training",
        "updates",
    )
)

for _module in MODULES:
    globals().update({name: getattr(_module, name) for name in _module.__all__})

__all__ = sorted(name for module in MODULES for name in module.__all__)

del _module
