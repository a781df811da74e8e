"""The one registry idiom: every axis that takes new kinds keeps them in a :class:`Registry`.

An axis (positional encodings, word2vec engines, projection methods, fine-tune
tasks, model families, job kinds, datasets, pretraining objectives) makes one
registry next to its base class; each kind is one file that registers itself
with a decorator::

    # core/finetune/tasks/__init__.py
    TASKS = Registry("task", package=__name__, instances=True)
    register, get, names = TASKS.register, TASKS.get, TASKS.names

    # core/finetune/tasks/ner.py
    @register
    class Ner(Task):
        name = "ner"
        order = 20

``names()`` lists the kinds in their declared order (each kind's ``order``
attribute, default 100, then the order they registered in); ``get(name)``
returns the kind or raises a ``ValueError`` that names the known ones, so an
unknown name from a page, the CLI or config.json always reads the same way.
With ``package=`` the registry imports every module of that package (except
``base``, ``registry`` and names starting with ``_``) the first time it is
asked anything, so a new kind file is found with no import line anywhere and
the package's ``__init__`` never has to import its kinds (no import cycles).
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import threading
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")

NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
DEFAULT_ORDER = 100


class Registry(Generic[T]):
    """Named kinds of one axis, in a declared order.

    ``what``: the axis's noun in messages ("task" -> "unknown task 'x'; known tasks: ...");
    ``plural`` defaults to ``what + "s"``. ``package``: dotted name of the package whose
    modules are kind files (discovered on first use). ``skip``: module names there that
    are not kind files. ``instances``: a registered class is stored as one instance of it
    (stateless kinds: engines, tasks, methods); otherwise what is registered is stored
    as given (classes built with arguments, frozen records). ``key``: the attribute that
    holds a kind's name. ``check``: called with each kind before it is added (raise
    ``ValueError`` to refuse a bad declaration).
    """

    def __init__(self, what: str, plural: str | None = None, *, package: str | None = None,
                 skip: tuple[str, ...] = ("base", "registry"), instances: bool = False, key: str = "name",
                 check: Callable[[T], None] | None = None):
        self.what, self.plural = what, plural or f"{what}s"
        self.package, self.skip, self.instances, self.key, self.check = package, skip, instances, key, check
        self._kinds: dict[str, T] = {}
        self._origins: dict[str, object] = {}
        self._discovered = package is None
        self._discovering = False
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ adding

    def register(self, kind=None, *, name: str | None = None):
        """Add ``kind`` (a class or an object) under its name; returns ``kind`` unchanged (a decorator).

        ``name`` overrides the kind's own ``key`` attribute. Registering the same kind
        again (a re-imported module) replaces it; another kind under a taken name is a
        ``ValueError``.
        """
        if kind is None:  # @register(name="...")
            return lambda k: self.register(k, name=name)
        value = kind() if self.instances and isinstance(kind, type) else kind
        name = name if name is not None else getattr(value, self.key, None)
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ValueError(f"a {self.what} needs a name of lower-case letters, digits, '_' or '-' "
                             f"(starting with a letter), not {name!r}.")
        if name in self._kinds and not _same(self._origins[name], kind):
            raise ValueError(f"a {self.what} named {name!r} is already registered ({_label(self._origins[name])}).")
        if self.check is not None:
            self.check(value)
        self._kinds.pop(name, None)  # a re-registered kind keeps its place by order, not by age
        self._kinds[name] = value
        self._origins[name] = kind
        return kind

    def unregister(self, name: str) -> None:
        """Remove a kind (tests register toy kinds and take them out again)."""
        self._kinds.pop(name, None)
        self._origins.pop(name, None)

    def discover(self) -> None:
        """Import every kind file of ``package`` (once); each registers itself on import.

        Thread-safe: the app's sessions run in threads, and a second thread asking while the first is still
        importing waits for the whole list (thirty students at once got an empty one). A kind file that asks
        its own registry while it is imported (same thread) sees the kinds registered so far.
        """
        if self._discovered:
            return
        with self._lock:
            if self._discovered or self._discovering:
                return
            self._discovering = True
            try:
                package = importlib.import_module(self.package)
                for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
                    if module.name not in self.skip and not module.name.startswith("_"):
                        importlib.import_module(f"{self.package}.{module.name}")
                self._discovered = True  # only now: never half a list, and a failure is raised again next time
            finally:
                self._discovering = False

    # ------------------------------------------------------------------ asking

    def names(self) -> tuple[str, ...]:
        """Every registered name, in declared order (``order`` attribute, then registration order)."""
        self.discover()
        position = {name: i for i, name in enumerate(self._kinds)}
        return tuple(sorted(self._kinds, key=lambda n: (getattr(self._kinds[n], "order", DEFAULT_ORDER),
                                                        position[n])))

    def get(self, name: str) -> T:
        """The kind called ``name``; ``ValueError`` naming the known ones otherwise."""
        self.discover()
        try:
            return self._kinds[name]
        except (KeyError, TypeError):
            raise ValueError(f"unknown {self.what} {name!r}; known {self.plural}: {', '.join(self.names())}.") from None

    def values(self) -> list[T]:
        """Every kind, in declared order."""
        return [self._kinds[name] for name in self.names()]

    def items(self) -> list[tuple[str, T]]:
        return [(name, self._kinds[name]) for name in self.names()]

    def first(self, predicate: Callable[[T], bool]) -> T | None:
        """The first kind (in declared order) for which ``predicate`` is true, else None."""
        return next((kind for kind in self.values() if predicate(kind)), None)

    def __contains__(self, name) -> bool:
        self.discover()
        return name in self._kinds

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        self.discover()
        return len(self._kinds)

    def __repr__(self) -> str:
        return f"<Registry of {self.plural}: {', '.join(self._kinds) or 'none yet'}>"


def _same(a, b) -> bool:
    """Whether two registrations are the same kind (a class re-created by a re-import counts as the same)."""
    if a is b:
        return True
    if isinstance(a, type) and isinstance(b, type):
        return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an object that cannot compare is another kind
        return False


def _label(kind) -> str:
    return kind.__qualname__ if isinstance(kind, type) else type(kind).__name__
