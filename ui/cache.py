"""One process-wide cache for what is expensive to build: models, tokenizers, walks, previews.

``st.cache_data`` and ``st.cache_resource`` are emptied for everybody by one
``clear_cache`` message, which any visitor's browser can send (issue 20: the
next visitor's input-layer page then took 70-111 s instead of 26-42 s). What
this module keeps is out of that message's reach: a bounded LRU per function,
shared by every session of the server process, computed once per key even
when thirty sessions ask at the same moment (the others wait for the first).

    @shared(max_entries=4)
    def load_model(path: str): ...          # like st.cache_resource: the same object for everyone

Arguments form the key (lists and dicts by value); parameters whose name
starts with ``_`` are left out of it, as in Streamlit (pass the object, key on
a fingerprint). Values are shared, not copied: callers must not change them.
A function that raises caches nothing. :func:`clear` empties everything (tests,
the teacher's page); :func:`stats` says what is held.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import pickle
import threading
import time
from collections import OrderedDict

_REGISTRY: dict[str, "_Cache"] = {}
_REGISTRY_LOCK = threading.Lock()


class _Cache:
    def __init__(self, name: str, max_entries: int | None, ttl_s: float | None):
        self.name, self.max_entries, self.ttl_s = name, max_entries, ttl_s
        self.values: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()
        self.computing: dict[str, threading.Lock] = {}
        self.hits = self.misses = 0

    def get(self, key: str):
        with self.lock:
            item = self.values.get(key)
            if item is None:
                return False, None
            stamp, value = item
            if self.ttl_s is not None and time.monotonic() - stamp > self.ttl_s:
                del self.values[key]
                return False, None
            self.values.move_to_end(key)
            self.hits += 1
            return True, value

    def put(self, key: str, value) -> None:
        with self.lock:
            self.values[key] = (time.monotonic(), value)
            self.values.move_to_end(key)
            while self.max_entries is not None and len(self.values) > self.max_entries:
                self.values.popitem(last=False)

    def key_lock(self, key: str) -> threading.Lock:
        with self.lock:
            return self.computing.setdefault(key, threading.Lock())

    def release_key(self, key: str) -> None:
        with self.lock:
            self.computing.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


def _key(signature: inspect.Signature, args, kwargs) -> str:
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    parts = tuple((name, value) for name, value in bound.arguments.items() if not name.startswith("_"))
    try:
        data = pickle.dumps(parts, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        data = repr(parts).encode()
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def shared(max_entries: int | None = 16, ttl_s: float | None = None):
    """Decorator: cache the function's results for the whole server process (see the module doc)."""

    def decorate(fn):
        # Page scripts all run as ``__main__``: the file tells two pages' ``samples()`` apart.
        code = getattr(fn, "__code__", None)
        name = f"{fn.__module__}.{fn.__qualname__}@{code.co_filename if code else ''}"
        with _REGISTRY_LOCK:
            cache = _REGISTRY.setdefault(name, _Cache(name, max_entries, ttl_s))
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key = _key(signature, args, kwargs)
            found, value = cache.get(key)
            if found:
                return value
            lock = cache.key_lock(key)
            with lock:  # one computation per key; the others wait, then read it
                found, value = cache.get(key)
                if found:
                    return value
                cache.misses += 1
                try:
                    value = fn(*args, **kwargs)
                    cache.put(key, value)
                finally:
                    cache.release_key(key)
                return value

        wrapper.cache = cache
        wrapper.clear = cache.clear
        return wrapper

    return decorate


def clear() -> None:
    """Empty every shared cache (what Streamlit's clear-cache message does not do)."""
    for cache in list(_REGISTRY.values()):
        cache.clear()


def stats() -> dict[str, dict]:
    """``{function: {"entries", "hits", "misses"}}`` for every shared cache."""
    return {name: {"entries": len(c.values), "hits": c.hits, "misses": c.misses} for name, c in _REGISTRY.items()}


class _SharedModule:
    """A module's functions, each wrapped in one shared cache (see :func:`shared_builders`)."""

    def __init__(self, module, max_entries: int):
        self._module, self._max_entries, self._wrapped = module, max_entries, {}

    def __getattr__(self, name: str):
        value = getattr(self._module, name)
        if not callable(value) or isinstance(value, type):
            return value
        if name not in self._wrapped:
            self._wrapped[name] = shared(max_entries=self._max_entries)(value)
        return self._wrapped[name]


def shared_builders(module, max_entries: int = 128):
    """``module`` (e.g. ``core.plots.input_layer``) whose functions build once per server per arguments.

    A page that draws the same figure for every student who typed the same sentence writes
    ``plots = shared_builders(core.plots.input_layer)`` and calls ``plots.matrix_heatmap(...)`` as
    before: building a plotly figure (validation, 40-200 ms each, 20 on the input-layer page) then
    happens once, and each page run only serialises it (a few ms). Figures are shared: never change one.
    """
    return _SharedModule(module, max_entries)
