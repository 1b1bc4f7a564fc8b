"""The setup contract: dependency pins agree, the core imports light, notebooks are clean."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import gdcourse

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pins(requirements):
    pins = {}
    for line in requirements:
        req = Requirement(line)
        (spec,) = req.specifier  # exactly one specifier ...
        assert spec.operator == "==", f"{line} is not pinned with =="  # ... and it is a pin
        pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_environment_yml_lists_the_same_pinned_dependencies_as_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and dep.split("=")[0] not in ("python", "pip"):
            name, version = dep.split("=")
            conda[canonicalize_name(name)] = version
    assert conda == _pins(PYPROJECT["project"]["dependencies"])
    assert {"pip": ["-e ."]} in env["dependencies"]


def test_constraints_pin_every_direct_dependency_at_the_same_version():
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    locked = _pins(line for line in lines if line and not line.startswith("#"))
    direct = _pins(PYPROJECT["project"]["dependencies"])
    direct |= _pins(PYPROJECT["project"]["optional-dependencies"]["test"])
    mismatched = {k: (v, locked.get(k)) for k, v in direct.items() if locked.get(k) != v}
    assert not mismatched, f"pyproject pin vs constraints.txt: {mismatched}"


def test_import_gdcourse_loads_neither_matplotlib_nor_ipywidgets():
    code = (
        "import sys, gdcourse; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'anywidget', 'IPython', 'sklearn', "
        "'scipy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names_are_re_exported_at_the_top():
    for name in (
        "Quadratic1D",
        "QuadraticBowl",
        "SaddleWithMinima",
        "TiltedDoubleWell",
        "Rosenbrock",
        "LinearRegression",
        "make_regression",
        "gradient_descent",
        "Trajectory",
        "minibatch_sgd",
        "quadratic_regime",
        "steps_to_tolerance",
        "max_stable_lr",
        "best_fixed_lr",
        "numerical_gradient",
        "check_gradient",
        "constant",
        "step_decay",
        "exponential_decay",
        "inverse_time_decay",
        "cosine_decay",
        "linear_warmup",
    ):
        assert name in gdcourse.__all__ and hasattr(gdcourse, name), name


def test_every_public_function_and_class_has_a_docstring():
    missing = [n for n in gdcourse.__all__ if not getattr(gdcourse, n).__doc__ and n.isidentifier()]
    missing = [n for n in missing if not n.isupper()]  # constants are documented in place
    assert not missing


NOTEBOOKS = sorted(
    p for d in ("notebooks", "exercises", "solutions") for p in (ROOT / d).glob("*.ipynb")
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_committed_with_outputs_cleared(path):
    nb = json.loads(path.read_text())
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"cells {dirty} of {path.name} have outputs; clear them before committing"


def test_readme_gives_the_two_commands_and_lists_every_lesson():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert nb.name in readme, f"README does not list {nb.name}"
    for section in ("Without make", "How the checks work", "Reporting problems", "Sources"):
        assert section in readme, section


def test_there_is_a_licence_for_the_code_and_one_for_the_lesson_text():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "Attribution-ShareAlike 4.0" in (ROOT / "LICENSE-lessons").read_text()
