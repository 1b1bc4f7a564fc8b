"""A student's answer as plain data: how grading hands it from the student's process to the
grader's.

While grading, the student's notebook runs in an untrusted process; what it hands out is data
only, never a verdict and never a pickle. :func:`to_plain` (run there) turns an answer into JSON
(numbers as exact hexadecimal text, arrays as ``.npy`` bytes in base64). :func:`from_plain` (run
in the grader's own process) rebuilds it: plain values as themselves, and anything else as a
stand-in that behaves as the checks saw it (its type's name, its text, the numbers it converts
to, or the error reading it raised), so the one checker gives the same verdict in both places.
Nothing in the data runs: a malformed record raises :class:`PlainDataError`.
"""

from __future__ import annotations

import base64
import io
import keyword
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import numpy as np

from ..core.placeholder import Placeholder
from .compare import is_masked

__all__ = [
    "MAX_ITEMS",
    "PlainDataError",
    "Recorded",
    "StudentError",
    "from_plain",
    "read_answer",
    "student_error",
    "to_plain",
]

#: The most numbers (or items) one answer may hold; a larger one is handed out as "too large".
MAX_ITEMS = 200_000
_MAX_DEPTH = 40
#: The most keys of a dict, or items of a set, the grader rebuilds (keys whose hashes collide
#: cost it quadratic time in one call no time limit can stop).
MAX_KEYS = 2_000
_MAX_TEXT = 100_000  # characters of one string kept
_MAX_REPR = 300
# A decimal or fraction the grader reads: up to 5000 digits and an exponent of up to 4 digits.
_SAFE_NUMBER = re.compile(
    r"[+-]?(\d{1,5000}(\.\d{0,5000})?|\.\d{1,5000})([eE][+-]?\d{1,4})?"
    r"|[+-]?\d{1,5000}/\d{1,5000}|[+-]?(inf|infinity|nan|snan)",
    re.IGNORECASE,
)


class PlainDataError(ValueError):
    """A record that is not what :func:`to_plain` writes (damaged, or forged)."""


class StudentError(Exception):
    """An error the student's code raised, rebuilt from its name, message and traceback text."""

    recorded_traceback = ""
    from_student = True


def _hex(x: float) -> str:
    return float(x).hex()


def _npy(arr: np.ndarray) -> str:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    return str(text)[:_MAX_REPR]


def to_plain(value: Any, _depth: int = 0, _count: list[int] | None = None) -> dict[str, Any]:
    """The answer as JSON-able data (run in the student's process, within a time limit: an
    object's own ``__repr__`` or ``__array__`` may run their code)."""
    count = [0] if _count is None else _count
    count[0] += 1
    if _depth > _MAX_DEPTH or count[0] > MAX_ITEMS:
        return {"t": "too_large", "type": type(value).__name__}
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if isinstance(value, Placeholder):
        return {"t": "placeholder"}
    if kind is bool:
        return {"t": "bool", "v": value}
    if kind is int:
        return (
            {"t": "int", "v": str(value)}
            if abs(value) < 10**4000
            else {"t": "too_large", "type": "int"}
        )
    if kind is float:
        return {"t": "float", "v": _hex(value)}
    if kind is complex:
        return {"t": "complex", "re": _hex(value.real), "im": _hex(value.imag)}
    if kind is str:
        return {"t": "str", "v": value[:_MAX_TEXT]}
    if kind in (bytes, bytearray, memoryview):  # text in bytes: the checks refuse it as such
        raw = bytes(value[:_MAX_TEXT]) if kind is not memoryview else b""
        return {"t": "bytes", "kind": kind.__name__, "v": base64.b64encode(raw).decode("ascii")}
    if isinstance(value, (Decimal, Fraction)):  # a subclass keeps its type's name
        named = {} if kind in (Decimal, Fraction) else {"type": kind.__name__[:100]}
        tag = "decimal" if isinstance(value, Decimal) else "fraction"
        text = Decimal.__str__(value) if tag == "decimal" else Fraction.__str__(value)
        return {"t": tag, "v": text[:12000], **named}
    if isinstance(value, np.generic):
        pass  # numpy's own numbers and strings (np.float64 is a float too): below
    elif isinstance(value, (str, int, float, complex)) and not isinstance(value, bool):
        # A subclass (an IntEnum, a StrEnum, a float of their own) keeps its type's name.
        named = {"type": kind.__name__[:100]}
        if isinstance(value, str):
            return {"t": "str", "v": str.__str__(value)[:_MAX_TEXT], **named}
        if isinstance(value, int):
            return {"t": "int", "v": str(int(value)), **named}
        if isinstance(value, float):
            return {"t": "float", "v": _hex(float(value)), **named}
        number = complex(value)
        return {"t": "complex", "re": _hex(number.real), "im": _hex(number.imag), **named}
    elif isinstance(value, Mapping) and not isinstance(value, dict):
        # UserDict, MappingProxyType, ChainMap: read as the dict they show
        value = _MappingCopy(kind.__name__, value.items(), _safe_repr(value))
        kind = type(value)
    base = next((b for b in (list, tuple, set, frozenset, dict) if isinstance(value, b)), None)
    if base is not None:  # a subclass (OrderedDict, a list of their own) keeps its type's name
        named = {} if kind is base else {"type": getattr(value, "_gd_type", kind.__name__)[:100]}
        if base is dict:
            if len(value) > MAX_ITEMS:
                return {"t": "too_large", "type": "dict"}
            pairs = [
                [to_plain(k, _depth + 1, count), to_plain(v, _depth + 1, count)]
                for k, v in dict.items(value)
            ]
            if isinstance(value, _MappingCopy):
                named["repr"] = value._gd_repr
            return {"t": "dict", "v": pairs, **named}
        items = list(value)
        if len(items) > MAX_ITEMS:
            return {"t": "too_large", "type": kind.__name__}
        return {"t": base.__name__, "v": [to_plain(v, _depth + 1, count) for v in items], **named}
    if isinstance(value, np.ma.MaskedArray):  # its data and its mask, both plain arrays
        data, mask = np.ma.getdata(value), np.ma.getmaskarray(value)
        count[0] += 2 * data.size
        if count[0] > MAX_ITEMS:
            return {"t": "too_large", "type": kind.__name__}
        if data.dtype.kind not in "biufc":  # the checks refuse any masked array: zeros will do
            data = np.zeros(data.shape)
        return {"t": "masked", "npy": _npy(np.array(data, order="C")), "mask": _npy(mask)}
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        count[0] += arr.size
        if count[0] > MAX_ITEMS:
            return {"t": "too_large", "type": kind.__name__}
        tag = "array" if isinstance(value, np.ndarray) else "npscalar"
        if arr.dtype.kind in "biufcSUMm" or (arr.dtype.kind == "V" and not arr.dtype.hasobject):
            return {"t": tag, "npy": _npy(np.array(arr, order="C"))}
        if arr.dtype.kind == "O":
            return {
                "t": tag + "_obj",
                "shape": list(arr.shape),
                "v": [to_plain(v, _depth + 1, count) for v in arr.ravel().tolist()],
            }
        return {"t": "object", "type": kind.__name__, "repr": _safe_repr(value)}
    return _object(value, _depth, count)


class _MappingCopy(dict):
    """A mapping that is not a dict (UserDict...), copied, keeping its type's name."""

    def __init__(self, type_name: str, items: Any, text: str) -> None:
        super().__init__(items)
        self._gd_type = type_name
        self._gd_repr = text


def _error(err: BaseException) -> dict[str, str]:
    return {"type": type(err).__name__, "message": str(err)[:_MAX_REPR]}


def _object(value: Any, depth: int, count: list[int]) -> dict[str, Any]:
    """Anything else: its type's name, its text and what the checks read from it."""
    if isinstance(value, type):
        return {"t": "type", "name": value.__name__[:100], "module": str(value.__module__)[:200]}
    out: dict[str, Any] = {
        "t": "object",
        "type": type(value).__name__[:100],
        "callable": callable(value),
        "iterator": hasattr(value, "__next__") and hasattr(value, "__iter__"),
        "run": all(hasattr(value, a) for a in ("weights", "losses", "status")),
        "mapping": isinstance(value, dict),
        "set": isinstance(value, (set, frozenset)),
        "sequence": isinstance(value, (list, tuple)),
    }
    if callable(value):
        out["name"] = str(getattr(value, "__name__", ""))[:100]
    out["repr"] = _safe_repr(value)
    if not (out["callable"] or out["iterator"] or out["run"]):
        # What numpy reads from it, as the checks do: np.asarray, then as floats.
        try:
            arr = np.asarray(value)
        except Exception as err:  # their object cannot be read by numpy: replayed as such
            out["array_error"] = _error(err)
            return out
        if arr.size + count[0] > MAX_ITEMS:
            out["array"] = {"t": "too_large", "type": "array"}
        elif is_masked(value):  # its __array__ hands out a masked array: keep the mask
            out["array"] = to_plain(np.asanyarray(value), depth + 1, count)
        elif arr.dtype.kind != "O":
            out["array"] = to_plain(np.array(arr), depth + 1, count)
        elif not (arr.ndim == 0 and arr[()] is value):
            out["array"] = to_plain(arr, depth + 1, count)  # items numpy found inside it
        else:  # numpy holds it as one object: its __float__ decides
            try:
                out["float"] = _hex(float(arr.astype(float)))
            except Exception as err:
                out["float_error"] = _error(err)
    return out


def read_answer(value: Any, limit: float) -> dict[str, Any]:
    """:func:`to_plain` within ``limit`` seconds (run in the student's process): an object whose
    own methods loop or raise is handed out as doing so, for the checks to say."""
    from .calling import call_student, student_traceback

    call = call_student(to_plain, (value,), copied=False, limit=limit)
    if call.returned:
        return call.value
    out = {"t": "object", "type": type(value).__name__[:100]}
    if call.timed_out or call.interrupted:
        out["read"] = "timeout"
    else:
        err = call.error
        out["read_error"] = {
            "type": type(err).__name__,
            "message": str(err)[:_MAX_REPR],
            "traceback": student_traceback(err)[:5000],
        }
    return out


# -- the grader's side -------------------------------------------------------------------------
def _need(data: Any, key: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get(key), kind):
        raise PlainDataError(f"a record lacks {key!r}")
    return data[key]


def _float(text: Any) -> float:
    if not isinstance(text, str) or len(text) > 40:
        raise PlainDataError("a number is not hexadecimal text")
    try:
        return float.fromhex(text)
    except ValueError:
        raise PlainDataError("a number is not hexadecimal text") from None


def _load_npy(text: Any) -> np.ndarray:
    if not isinstance(text, str) or len(text) > 8 * MAX_ITEMS * 2:
        raise PlainDataError("an array's bytes are missing or too large")
    try:
        arr = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except Exception:
        raise PlainDataError("an array's bytes cannot be read") from None
    if not isinstance(arr, np.ndarray):  # an .npz archive, say
        raise PlainDataError("an array's bytes are not one array")
    plain = arr.dtype.kind in "biufcSUMm" or (arr.dtype.kind == "V" and not arr.dtype.hasobject)
    if not plain or arr.size > MAX_ITEMS:
        raise PlainDataError("an array is not numbers or text")
    return arr


def _name(text: Any) -> str:
    """A type or function name from the record, as an identifier (it names a class here)."""
    name = "".join(ch for ch in str(text)[:100] if ch.isalnum() or ch == "_") or "object"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = "_" + name
    return name


def student_error(record: Any) -> StudentError:
    """The student's exception, rebuilt: same class name and message, their traceback text."""
    cls = type(_name(_need(record, "type", str)), (StudentError,), {})
    err = cls(str(record.get("message", ""))[:2000])
    err.recorded_traceback = str(record.get("traceback", ""))[:5000]
    return err


class _Standin:
    """Base of the stand-ins for a student's objects (see :func:`_standin`)."""

    __slots__ = ()


def _standin(data: dict[str, Any], depth: int) -> Any:
    """A stand-in with the student's type name that behaves as the checks saw the object."""
    from .calling import _TimeUp

    text = str(data.get("repr", ""))[:_MAX_REPR]
    ns: dict[str, Any] = {
        "__slots__": (),
        "__repr__": lambda self: text,
        "__str__": lambda self: text,
    }
    if data.get("read") == "timeout":  # reading it ran their code past the time limit

        def stuck(self: Any, *a: Any, **k: Any) -> Any:
            raise _TimeUp

        ns.update(__array__=stuck, __float__=stuck, __len__=stuck, __iter__=stuck, __repr__=stuck)
    elif isinstance(data.get("read_error"), dict):
        err = data["read_error"]

        def fails(self: Any, *a: Any, **k: Any) -> Any:
            raise student_error(err)

        ns.update(__array__=fails, __float__=fails, __len__=fails, __iter__=fails, __repr__=fails)
    if data.get("callable"):
        ns["__call__"] = lambda self, *a, **k: None
        ns["__name__"] = _name(data.get("name", "function"))
    if data.get("iterator"):
        ns["__iter__"] = lambda self: self
        ns["__next__"] = lambda self: (_ for _ in ()).throw(StopIteration)
    if data.get("run"):
        ns.update(weights=None, losses=None, status=None)
    if "array" in data:
        arr = _decode(data["array"], depth + 1)
        if isinstance(arr, np.ndarray):
            ns["__array__"] = lambda self, dtype=None, copy=None: (
                arr if dtype is None else arr.astype(dtype)
            )
    elif "float" in data or isinstance(data.get("float_error"), dict):
        # numpy holds it as one object, and reading it as a float gives this number (or error)
        if "float" in data:
            number = _float(data["float"])
            ns["__float__"] = lambda self: number
        else:
            float_err = data["float_error"]

            def no_float(self: Any) -> Any:
                raise student_error(float_err)

            ns["__float__"] = no_float
    elif isinstance(data.get("array_error"), dict) and "read_error" not in data:
        err = data["array_error"]

        def unreadable(self: Any, *a: Any, **k: Any) -> Any:
            raise student_error(err)

        ns["__array__"] = unreadable
    bases: tuple[type, ...] = (_Standin,)
    if data.get("mapping"):
        bases, ns = (dict,), {k: v for k, v in ns.items() if k != "__slots__"}
    elif data.get("set"):
        bases, ns = (set,), {k: v for k, v in ns.items() if k != "__slots__"}
    return type(_name(data.get("type", "object")), bases, ns)()


def _subclass(base: type, data: dict[str, Any]) -> type:
    """``base``, or a subclass of it named as the student's type (``MyList``, ``OrderedDict``)."""
    if "type" not in data:
        return base
    ns: dict[str, Any] = {}
    if isinstance(data.get("repr"), str):  # a mapping that is not a dict shows as it did
        text = data["repr"][:_MAX_REPR]
        ns["__repr__"] = ns["__str__"] = lambda self: text
    return type(_name(data["type"]), (base,), ns)


def from_plain(data: Any, _depth: int = 0) -> Any:
    """The answer :func:`to_plain` described, rebuilt in the grader's process (never runs
    anything the record holds)."""
    return _decode(data, _depth)


def _decode(data: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH + 2:
        raise PlainDataError("an answer is nested too deeply")
    t = _need(data, "t", str)
    if t == "none":
        return None
    if t == "placeholder":
        return Placeholder()
    if t == "bool":
        return bool(_need(data, "v", bool))
    if t == "int":
        text = _need(data, "v", str)
        if len(text) > 4100:
            raise PlainDataError("a whole number is too long")
        try:
            return _subclass(int, data)(int(text))
        except ValueError:
            raise PlainDataError("a whole number is not digits") from None
    if t == "float":
        return _subclass(float, data)(_float(data.get("v")))
    if t == "complex":
        return _subclass(complex, data)(complex(_float(data.get("re")), _float(data.get("im"))))
    if t == "str":
        return _subclass(str, data)(str(_need(data, "v", str))[:_MAX_TEXT])
    if t in ("decimal", "fraction"):
        text = _need(data, "v", str)[:12000]
        if not _SAFE_NUMBER.fullmatch(text):  # Fraction("1e30000000") would take hours
            raise PlainDataError(f"a {t} is not a number of a readable size")
        try:
            return _subclass(Decimal if t == "decimal" else Fraction, data)(text)
        except (InvalidOperation, ValueError, ZeroDivisionError):
            raise PlainDataError(f"a {t} is not a number") from None
    if t in ("list", "tuple", "set", "frozenset"):
        raw = _need(data, "v", list)
        if t in ("set", "frozenset") and len(raw) > MAX_KEYS:  # hashing many alike is quadratic
            raise PlainDataError(f"a set of more than {MAX_KEYS:,} items")
        items = [_decode(v, depth + 1) for v in raw[: MAX_ITEMS + 1]]
        base = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[t]
        try:
            return _subclass(base, data)(items)
        except TypeError:
            raise PlainDataError("a set holds something unhashable") from None
    if t == "dict":
        pairs = _need(data, "v", list)
        if len(pairs) > MAX_KEYS:
            raise PlainDataError(f"a dict of more than {MAX_KEYS:,} keys")
        out = _subclass(dict, data)()
        for pair in pairs[: MAX_ITEMS + 1]:
            if not isinstance(pair, list) or len(pair) != 2:
                raise PlainDataError("a dict entry is not a pair")
            try:
                out[_decode(pair[0], depth + 1)] = _decode(pair[1], depth + 1)
            except TypeError:
                raise PlainDataError("a dict key is unhashable") from None
        return out
    if t == "bytes":
        try:
            raw = base64.b64decode(str(_need(data, "v", str))[: 2 * _MAX_TEXT], validate=True)
        except ValueError:
            raise PlainDataError("bytes are not base64") from None
        made = {"bytes": bytes, "bytearray": bytearray, "memoryview": memoryview}
        return made.get(str(data.get("kind")), bytes)(raw)
    if t == "array":
        return _load_npy(data.get("npy"))
    if t == "masked":
        values, mask = _load_npy(data.get("npy")), _load_npy(data.get("mask"))
        if values.shape != mask.shape or mask.dtype != bool or values.dtype.kind not in "biufc":
            raise PlainDataError("a masked array's mask does not fit its data")
        return np.ma.MaskedArray(values, mask=mask)
    if t == "npscalar":
        arr = _load_npy(data.get("npy"))
        if arr.ndim != 0:
            raise PlainDataError("a numpy number is not 0-d")
        return arr[()]
    if t in ("array_obj", "npscalar_obj"):
        shape = _need(data, "shape", list)
        items = [_decode(v, depth + 1) for v in _need(data, "v", list)[: MAX_ITEMS + 1]]
        if len(shape) > 32 or not all(type(n) is int and 0 <= n <= MAX_ITEMS for n in shape):
            raise PlainDataError("an object array's shape is not a shape")
        if math.prod(shape) != len(items):  # whole numbers: no overflow to fool the check
            raise PlainDataError("an object array's shape does not fit its items")
        arr = np.empty(len(items), dtype=object)
        arr[:] = items if items else arr[:]
        arr = arr.reshape(shape)
        return arr if t == "array_obj" else arr[()]
    if t == "type":
        module = str(data.get("module", "builtins"))[:200]
        module = module if all(p.isidentifier() for p in module.split(".")) else "builtins"
        return type(_name(data.get("name", "object")), (), {"__module__": module})
    if t == "too_large":
        return _standin(
            {
                "type": data.get("type", "object"),
                "repr": "<too large to grade>",
                "array_error": {"type": "ValueError", "message": "too large to grade"},
            },
            depth,
        )
    if t == "object":
        return _standin(data, depth)
    raise PlainDataError(f"unknown kind of value {t!r}")


class Recorded:
    """A student's function as the grader sees it: what each of its calls on a check's inputs did,
    replayed in order (``calls`` from :meth:`FunctionQuestion.recorded_calls`).

    Each call returns the recorded result, raises the recorded error, or times out as it did;
    :func:`gdcourse.checks.calling.call_student` reads the recorded seconds, so the check's time
    budget runs out where it did in the student's process.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        import inspect

        calls = _need(data, "calls", list)
        self._calls = calls[:1000]
        # The course module the student passed a function of (not one they wrote), if any.
        owner = data.get("owner", "")
        self.course_owner = (
            owner[:100] if isinstance(owner, str) and owner.startswith("gdcourse") else ""
        )
        self._next = 0
        self.last_seconds = 0.0
        self.__name__ = _name(data.get("name", "function"))
        params = data.get("signature")
        if isinstance(params, list):
            try:
                names: list[str] = []
                for p in params[:100]:  # their own names where Python allows them, each once
                    name = str(p[0])[:100]
                    if not name.isidentifier() or keyword.iskeyword(name):
                        name = _name(name)
                    while name in names:
                        name += "_"
                    names.append(name)
                self.__signature__ = inspect.Signature(
                    [
                        inspect.Parameter(
                            name,
                            inspect._ParameterKind(int(p[1])),
                            default=None if p[2] else inspect.Parameter.empty,
                        )
                        for name, p in zip(names, params[:100], strict=True)
                    ]
                )
            except (ValueError, TypeError, IndexError, KeyError):
                raise PlainDataError("a function's parameters cannot be read") from None

    def __repr__(self) -> str:
        return f"<function {self.__name__}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .calling import _TimeUp

        if self._next >= len(self._calls):  # the student's process stopped calling here
            self.last_seconds = 0.0
            raise _TimeUp
        call = self._calls[self._next]
        self._next += 1
        if not isinstance(call, dict):
            raise PlainDataError("a call record is not a record")
        seconds = call.get("seconds", 0.0)
        self.last_seconds = float(seconds) if isinstance(seconds, (int, float)) else 0.0
        kind = call.get("kind")
        if kind == "timeout":
            raise _TimeUp
        if kind == "interrupted":
            raise KeyboardInterrupt
        if kind == "raised":
            raise student_error(call.get("error", {}))
        if kind == "returned":
            return _decode(call.get("value"), 0)
        raise PlainDataError(f"unknown kind of call {kind!r}")
