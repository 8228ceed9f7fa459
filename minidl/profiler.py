"""Where the time goes: a profiler in the style of ``torch.profiler``.

    from minidl.profiler import profile
    with profile(record_shapes=True) as prof:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))
    prof.export_chrome_trace("trace.json")   # open in chrome://tracing or ui.perfetto.dev

It records three kinds of events, nested in one another:

* ``op``: an operation's forward pass (``Function.apply``: ``Conv2d``, ``Add``, ...);
* ``backward``: its backward pass during ``loss.backward()``, named as the graph node
  prints (``Conv2dBackward0``, ...);
* ``kernel``: a raw-array kernel call inside either (``conv2d_forward [cpu]``), with the
  backend that ran it (``reference``, ``cpu`` or ``cuda``).

An event's *total* time runs from its start to its end; its *self* time is the total minus
the time of the events nested inside it, so the self times of all events add up to the
time spent inside operations, and never count anything twice.

How it hooks in: while a profile is open, the profiler wraps ``Function.apply``, every
Function's ``backward`` and every kernel function of the backends, and it puts the
originals back when the profile closes. Code that is not being profiled therefore runs
exactly what it always runs: profiling costs nothing when it is off. One profile can be
open at a time.  A PyTorch-style custom Function (static ``forward``/``backward``) shows
as its own name and its node's (``Cube``, ``CubeBackward``).
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .autograd.context import ContextFunction
from .autograd.function import Function
from .kernels.registry import BACKENDS

__all__ = ["profile", "Event", "EventList", "FunctionEventAvg"]

_active: profile | None = None
_lock = threading.Lock()


@dataclass
class Event:
    """One timed call: ``start`` and ``end`` in seconds of ``time.perf_counter``."""

    name: str
    kind: str  # "op", "backward" or "kernel"
    backend: str
    start: float
    end: float = 0.0
    shapes: tuple = ()
    thread: int = 0
    child_time: float = 0.0

    @property
    def total(self) -> float:
        return self.end - self.start

    @property
    def self_time(self) -> float:
        return self.total - self.child_time


@dataclass
class FunctionEventAvg:
    """The events of one name (and backend, and shapes if grouped by them), summed."""

    key: str
    kind: str
    backend: str
    shapes: tuple = ()
    count: int = 0
    cpu_time_total: float = 0.0       # seconds
    self_cpu_time_total: float = 0.0  # seconds

    @property
    def cpu_time(self) -> float:
        """Mean total time per call, seconds."""
        return self.cpu_time_total / self.count if self.count else 0.0


_SORT_KEYS = {"cpu_time_total", "self_cpu_time_total", "count", "cpu_time"}


class EventList(list):
    """``key_averages()``'s result: a list of ``FunctionEventAvg`` with ``table()``."""

    def __init__(self, rows, wall_time: float):
        super().__init__(rows)
        self.wall_time = wall_time

    def table(self, sort_by: str = "self_cpu_time_total", row_limit: int = 100) -> str:
        """A text table, one row per name, sorted by ``sort_by`` (largest first)."""
        key = sort_by.replace("cuda", "cpu").replace("device", "cpu")
        if key not in _SORT_KEYS:
            raise ValueError(f"table: sort_by must be one of {sorted(_SORT_KEYS)}, "
                             f"got {sort_by!r}")
        rows = sorted(self, key=lambda r: getattr(r, key), reverse=True)
        if row_limit is not None and row_limit >= 0:
            rows = rows[:row_limit]
        self_sum = sum(r.self_cpu_time_total for r in self)
        show_shapes = any(r.shapes for r in rows)
        header = ["Name", "Kind", "Backend", "Self CPU %", "Self CPU", "CPU total",
                  "CPU time avg", "# Calls"] + (["Input shapes"] if show_shapes else [])
        body = [[r.key, r.kind, r.backend,
                 f"{100 * r.self_cpu_time_total / self.wall_time:.2f}%" if self.wall_time else "-",
                 _ms(r.self_cpu_time_total), _ms(r.cpu_time_total), _ms(r.cpu_time),
                 str(r.count)] + ([str(list(r.shapes))] if show_shapes else [])
                for r in rows]
        widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]
        rule = "  ".join("-" * w for w in widths)
        lines = [rule, "  ".join(h.ljust(w) for h, w in zip(header, widths)), rule]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in body]
        lines += [rule, f"Self CPU time total (inside operations): {_ms(self_sum)}",
                  f"Wall time of the profiled block: {_ms(self.wall_time)}"]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f}ms"


def _shapes_of(values) -> tuple:
    return tuple(tuple(int(s) for s in v.shape) for v in values if hasattr(v, "shape"))


@dataclass
class profile:  # noqa: N801  (PyTorch's name)
    """Record every operation, backward pass and kernel call inside a ``with`` block.

    ``record_shapes``: keep the input shapes of each call (for ``group_by_input_shape``).
    ``activities`` is accepted for PyTorch compatibility; minidl times on the CPU clock.
    """

    activities: object = None
    record_shapes: bool = False
    events: list = field(default_factory=list)
    wall_time: float = 0.0
    _stacks: dict = field(default_factory=lambda: defaultdict(list))
    _originals: list = field(default_factory=list)
    _started: float = 0.0

    # -- opening and closing --------------------------------------------------------------
    def __enter__(self) -> profile:
        global _active
        with _lock:
            if _active is not None:
                raise RuntimeError("profile: another profile is already open; close it "
                                   "first (profiles do not nest)")
            _active = self
        self.events = []
        self._instrument()
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        global _active
        self.wall_time = time.perf_counter() - self._started
        for owner, name, original in reversed(self._originals):
            setattr(owner, name, original)
        self._originals.clear()
        _active = None

    # -- instrumentation ------------------------------------------------------------------
    def _replace(self, owner, name: str, wrapper) -> None:
        self._originals.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, wrapper)

    def _instrument(self) -> None:
        apply = Function.__dict__["apply"].__func__

        def timed_apply(cls, *inputs, **options):
            if cls is ContextFunction:  # timed as the user's Function that applies it
                return apply(cls, *inputs, **options)
            shapes = _shapes_of(inputs) if self.record_shapes else ()
            with self._timing(cls.__name__, "op", "", shapes):
                return apply(cls, *inputs, **options)

        self._replace(Function, "apply", classmethod(timed_apply))
        for cls in _subclasses(Function):
            # a PyTorch-style Function's static backward runs inside its node's, timed there
            if "backward" in cls.__dict__ and not isinstance(cls.__dict__["backward"],
                                                               staticmethod):
                self._replace(cls, "backward", self._timed_backward(cls))
        for backend, module_name in BACKENDS.items():
            if backend == "cuda" and importlib.util.find_spec("cupy") is None:
                continue
            module = importlib.import_module(module_name)
            for name, value in list(vars(module).items()):
                if callable(value) and not name.startswith("_") and not isinstance(value, type) \
                        and getattr(value, "__module__", "").startswith(module_name):
                    self._replace(module, name, self._timed_kernel(name, backend, value))

    def _timed_backward(self, cls):
        backward = cls.__dict__["backward"]

        @functools.wraps(backward)
        def timed(fn, grad):
            shapes = _shapes_of([grad]) if self.record_shapes else ()
            with self._timing(fn.name(), "backward", "", shapes):
                return backward(fn, grad)
        return timed

    def _timed_kernel(self, name: str, backend: str, function):
        @functools.wraps(function)
        def timed(*arrays, **options):
            shapes = _shapes_of(arrays) if self.record_shapes else ()
            with self._timing(name, "kernel", backend, shapes):
                return function(*arrays, **options)
        return timed

    def _timing(self, name, kind, backend, shapes):
        return _Timing(self, Event(name, kind, backend, 0.0, shapes=shapes,
                                   thread=threading.get_ident()))

    # -- results --------------------------------------------------------------------------
    def key_averages(self, group_by_input_shape: bool = False) -> EventList:
        """The events summed per name (and backend; and input shapes if asked)."""
        rows: dict = {}
        for event in self.events:
            shapes = event.shapes if group_by_input_shape else ()
            key = (event.name, event.kind, event.backend, shapes)
            row = rows.get(key)
            if row is None:
                row = rows[key] = FunctionEventAvg(event.name, event.kind, event.backend, shapes)
            row.count += 1
            row.cpu_time_total += event.total
            row.self_cpu_time_total += event.self_time
        return EventList(rows.values(), self.wall_time)

    def self_time_total(self) -> float:
        """Seconds spent inside operations: the self times of every event, summed."""
        return sum(event.self_time for event in self.events)

    def export_chrome_trace(self, path) -> None:
        """Write the events as a Chrome trace (JSON) for chrome://tracing or Perfetto."""
        trace = [{"name": e.name if not e.backend else f"{e.name} [{e.backend}]",
                  "cat": e.kind, "ph": "X", "pid": 0, "tid": e.thread,
                  "ts": (e.start - self._started) * 1e6, "dur": e.total * 1e6,
                  "args": {"input shapes": [list(s) for s in e.shapes]} if e.shapes else {}}
                 for e in self.events]
        with open(path, "w") as file:
            json.dump({"traceEvents": trace, "displayTimeUnit": "ms"}, file)


class _Timing:
    """Times one event; a nested event adds its total to its parent's ``child_time``."""

    __slots__ = ("profile", "event")

    def __init__(self, profile: profile, event: Event):
        self.profile, self.event = profile, event

    def __enter__(self):
        self.profile._stacks[self.event.thread].append(self.event)
        self.event.start = time.perf_counter()

    def __exit__(self, *exc_info):
        event = self.event
        event.end = time.perf_counter()
        stack = self.profile._stacks[event.thread]
        stack.pop()
        if stack:
            stack[-1].child_time += event.total
        self.profile.events.append(event)


def _subclasses(cls) -> list:
    found, stack = [], [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            found.append(sub)
            stack.append(sub)
    return found
