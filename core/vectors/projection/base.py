"""The projection-method axis: a small base class with the shared verbs, and one registry.

A method (PCA, UMAP, t-SNE, ...) is one short file that subclasses
:class:`ProjectionMethod` and calls :func:`register`. It owns everything that
differs between methods: its parameters (:class:`Param`: widget, default,
limits, help), its formula (LaTeX lines the page shows beside the figure),
its source (paper and library), how it fits, how large an input it accepts
and from what size the page runs it as a background job. Pages, jobs, the
benchmark and the tests ask :func:`get` / :func:`names` (:data:`METHODS`, a
:class:`core.registry.Registry` that finds every method file of this package);
nothing outside a method's own file compares its name to a string.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.registry import Registry


class Stopped(Exception):
    """Raised by an ``on_progress`` callback to stop a fit early (a cancelled job)."""


@dataclass(frozen=True)
class Param:
    """One parameter of a method, enough to validate it and to draw its widget.

    ``default`` fixes the type (int, float or str). Numbers are checked
    against ``low``/``high`` (inclusive); strings against ``choices``. The page
    labels the widget ``t("explorer.<name>")`` with help ``t("explorer.<name>_help")``
    and falls back to ``label``/``help`` (English) for a method without strings.
    """

    name: str  # the keyword stored in ProjectionConfig.params and in cache keys
    default: float | int | str
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None  # slider step; None lets the page pick (1 for ints)
    choices: tuple[str, ...] = ()
    label: str = ""  # English fallback label
    help: str = ""  # English fallback help text

    def check(self, value):
        """``value`` converted to this parameter's type; ``ValueError`` naming the limits if out of range."""
        if self.choices:
            if value not in self.choices:
                raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}, not {value!r}.")
            return value
        kind = type(self.default)
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number, not {value!r}.") from None
        if kind is int and number != float(value):
            raise ValueError(f"{self.name} must be a whole number, not {value!r}.")
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise ValueError(f"{self.name} must be between {self.low} and {self.high}, not {value}.")
        return number


Progress = Callable[[float, str], None]


class ProjectionMethod:
    """Shared verbs of every projection method; a subclass overrides what differs.

    A subclass sets the class attributes below and implements :meth:`fit`.
    ``fit`` gets distinct rows only (identical vectors are merged before and
    spread back after by :func:`core.vectors.projection.project`), already
    prepared for the metric (unit rows for cosine), and at least
    :attr:`min_points` of them.
    """

    name: str = ""  # registry key, stored in configs and cache file names ("pca")
    order: int = 100  # position in the page's choice of methods (smaller first)
    title: str = ""  # English display name; the page prefers t("explorer.method_<name>")
    axis: str = ""  # axis-title prefix: "PC" -> "PC 1", "PC 2"
    params: tuple[Param, ...] = ()  # the method's own parameters (widgets on the page)
    formula: tuple[str, ...] = ()  # LaTeX lines, shown next to the figure
    source: str = ""  # the paper(s): authors (year), title, venue; a citation, not translated
    library: str = ""  # what computes it here, e.g. "umap-learn"
    url: str = ""  # where to read the paper
    uses_metric: bool = True  # False: the metric does not change the result (kept out of the cache key)
    max_words: int = 50_000  # largest n the page offers
    default_words: int = 2_000  # the page's starting n
    job_above: int | None = 3_000  # above this n the page runs a background job; None: always in the page
    min_points: int = 3  # fewest distinct vectors fit() accepts; fewer are placed exactly by PCA
    version: str = "1"  # part of the cache key: bump when the same parameters would give another picture
    compiled: bool = False  # True: fit() runs numba kernels that the page warms once per process (UMAP)

    def defaults(self) -> dict:
        """``{param name: default}``."""
        return {p.name: p.default for p in self.params}

    def check_params(self, params: dict | None) -> dict:
        """Every parameter of this method, validated, defaults filled in; ``ValueError`` for unknown names."""
        params = dict(params or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            names = ", ".join(known) or "none"
            raise ValueError(f"{self.name} has no parameter {', '.join(unknown)} (its parameters: {names}).")
        return {name: p.check(params.get(name, p.default)) for name, p in known.items()}

    def fit(self, x: np.ndarray, dims: int, seed: int, params: dict,
            on_progress: Progress | None = None) -> np.ndarray:
        """Coordinates ``(n, dims)`` for distinct prepared rows ``x`` ``(n, d)`` float32; deterministic per seed.

        ``on_progress(fraction, message)`` may be called along the way; it
        raises :class:`Stopped` to cancel.
        """
        raise NotImplementedError


def _check(method) -> None:
    if not isinstance(method, ProjectionMethod) or method.name != method.name.lower():
        raise ValueError(f"a projection method is a ProjectionMethod with a lower-case name, not {method!r}.")


# Method files of core.vectors.projection, found on first use; ``order`` is the page's option order.
METHODS: Registry[ProjectionMethod] = Registry(
    "projection method", "methods", package="core.vectors.projection", instances=True, check=_check,
    skip=("base", "compute", "job"))
register, unregister, get, names = METHODS.register, METHODS.unregister, METHODS.get, METHODS.names
