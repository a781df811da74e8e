"""The shared verbs of every positional encoding, its parameters, and the size checks.

Each encoding (one short module each: ``sinusoidal``, ``learned``, ``rope``,
``alibi``, ``t5``, ``none``) subclasses :class:`PositionalEncoding`, overrides
only what differs, and registers itself with ``core.positional.registry.register``.
A kind owns its parameters (:class:`Param`: the page's widgets, the CLI's
flags), its formula (LaTeX), its source (paper), the views that apply to it
and ``where`` position enters the model. The verbs all take explicit position indices, so a caller can
ask for a few hundred sampled positions out of 16,384 without building the
whole matrix (that is how the page stays responsive at large settings).

Families:
- ``"absolute"``: a vector per position is added to the token embedding
  (sinusoidal, learned). ``vectors`` is the encoding itself.
- ``"rotary"``: query and key are rotated by a position-dependent angle
  (RoPE). ``vectors`` is the rotation applied to a fixed unit query.
- ``"bias"``: a number per (query, key) pair is added to the attention score
  (ALiBi, T5). There are no vectors; ``scores`` is the encoding itself.
- ``"none"``: no positional information at all (NoPE); every score is 0.

``where`` says where position enters a transformer: ``"input"`` (a vector added
to the token embedding), ``"attention"`` (inside attention: RoPE rotates q and
k, ALiBi/T5 add a bias to the scores) or ``"none"``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch

# Largest tensor one call may build: 2**27 numbers = 512 MiB of float32.
# seq_len 4096 x dim 1024 is 4,194,304 numbers; ALiBi's (8, 4096, 4096) is
# exactly at the cap. Anything bigger is almost surely a typo in a UI or CLI.
MAX_ELEMENTS = 2**27


def check_positive(name: str, value: int) -> int:
    """``value`` as an int, or a ValueError naming ``name`` if it is not >= 1."""
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def check_even(name: str, value: int) -> int:
    """A positive even ``value``: encodings that work on (sin, cos) pairs need one."""
    value = check_positive(name, value)
    if value % 2:
        raise ValueError(
            f"{name} must be even because dimensions come in (sin, cos) pairs, got {value}"
        )
    return value


def check_base(base: float) -> float:
    """The frequency base (10000 in Vaswani et al.); must be > 1 for the waves to slow down."""
    base = float(base)
    if not math.isfinite(base) or base <= 1.0:
        raise ValueError(f"base must be a finite number greater than 1, got {base!r}")
    return base


def check_size(*sizes: int, what: str = "this encoding") -> None:
    """Refuse to build a tensor of more than :data:`MAX_ELEMENTS` numbers."""
    total = math.prod(int(s) for s in sizes)
    if total > MAX_ELEMENTS:
        shape = " x ".join(str(int(s)) for s in sizes)
        raise ValueError(
            f"{what} would hold {total:,} numbers ({shape}); the limit is {MAX_ELEMENTS:,} "
            f"(512 MiB of float32). Use a shorter sequence or fewer dimensions/heads."
        )


def as_positions(positions, name: str = "positions") -> torch.Tensor:
    """Position indices as a 1-D int64 CPU tensor of non-negative values (angles are built on CPU)."""
    pos = torch.as_tensor(positions).cpu()
    if pos.dim() != 1:
        raise ValueError(f"{name} must be a 1-D list of indices, got shape {tuple(pos.shape)}")
    if pos.is_floating_point():
        if not torch.equal(pos, pos.round()):
            raise ValueError(f"{name} must be whole numbers")
    pos = pos.to(torch.long)
    if pos.numel() and int(pos.min()) < 0:
        raise ValueError(f"{name} must be >= 0, got {int(pos.min())}")
    return pos


@dataclass(frozen=True)
class Curve:
    """One line of a score-vs-distance plot.

    ``label`` is a message key suffix (``"anchor"``, ``"head"``, ``"after"``,
    ``"before"``, ``"bound"``) and ``fields`` fill its template, so the page can
    translate the legend; ``values`` has one entry per distance (NaN where the
    encoding is undefined, e.g. past the learned table's last row).
    """

    label: str
    fields: dict
    values: torch.Tensor


WHERE = ("input", "attention", "none")  # where position enters the model
VIEWS = ("matrix", "dimensions", "slopes", "buckets", "similarity", "distance", "beyond", "compare")


@dataclass(frozen=True)
class Param:
    """One setting of an encoding: a widget on the page, a flag of ``python -m core positional``.

    The page labels it ``t("positional.<name>")`` with help ``t("positional.<name>_help")``
    (a ``str`` parameter sits in an expander titled ``t("positional.<name>_expander")``);
    the CLI flag is ``--<name with dashes>`` with ``help`` as its help text.
    """

    name: str  # python name, also the EncodingSpec field and the widget key suffix
    default: object  # the value when nobody sets it
    help: str  # one English sentence for the CLI
    type: type = int  # int | float | str
    minimum: float | None = None  # smallest accepted value (API, CLI and page)
    maximum: float | None = None  # largest accepted value
    widget: tuple | None = None  # page slider (low, high, step); None: a number box (or text box for str)
    choices: tuple | None = None  # page select-slider options (any value in range is still accepted)
    check: Callable | None = None  # extra rule: value -> value, raising ValueError (e.g. "must be even")

    def validate(self, value):
        """``value`` converted to ``type`` and checked; ValueError naming the parameter otherwise."""
        if self.type is str:
            value = None if value is None else str(value).strip()
            return value or None
        if isinstance(value, bool) or value is None:
            raise ValueError(f"{self.name} must be a number, got {value!r}")
        if self.type is int:
            if float(value) != int(value):
                raise ValueError(f"{self.name} must be a whole number, got {value!r}")
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(f"{self.name} must be a finite number, got {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{self.name} must be at least {self.minimum:,}, got {value:,}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{self.name} must be at most {self.maximum:,}, got {value:,}")
        return self.check(value) if self.check else value


class PositionalEncoding:
    """Base class: the verbs every encoding answers, and what a kind declares about itself.

    Subclasses set the class attributes below and implement :meth:`vectors`
    (kinds that add or rotate vectors) or :meth:`scores` (kinds that bias the
    attention scores). ``__init__`` takes one keyword per :class:`Param`.
    """

    kind: str = "base"  # registry name: --kind on the CLI, the option value on the page
    order: int = 100  # position in lists (page options, CLI choices); built-ins use 10..60
    family: str = "absolute"  # "absolute" | "rotary" | "bias" | "none"
    where: str = "input"  # one of WHERE: where position enters the model
    params: tuple[Param, ...] = ()  # settings, in the order the page shows them
    formula: str = ""  # LaTeX of the defining formula, shown next to the figure
    distance_formula: str = ""  # LaTeX: what the score-vs-distance view plots
    source: str = ""  # the paper it comes from, as a citation
    views: tuple[str, ...] = ("matrix", "dimensions", "similarity", "distance", "beyond", "compare")
    score_axis: str = "cosine"  # what a (query, key) cell holds: "cosine" | "bias" | "bucket" | "score"
    output: str = "the vector of each position, (seq_len, dim)"  # what `python -m core positional` writes
    dim: int | None = None  # width of one position vector; None for bias encodings
    max_positions: int | None = None  # rows a table has (learned: 512); None = any position
    n_heads: int = 1  # score maps per (query, key) pair; ALiBi has one per head

    @classmethod
    def defaults(cls) -> dict:
        """``{parameter: default}`` for this kind."""
        return {p.name: p.default for p in cls.params}

    @classmethod
    def check_values(cls, values: Mapping) -> dict:
        """This kind's parameters taken from ``values`` (defaults for the missing), validated."""
        checked = {}
        for param in cls.params:
            value = values.get(param.name)
            checked[param.name] = param.default if value is None and param.type is not str else param.validate(value)
        return checked

    @classmethod
    def from_values(cls, values: Mapping | None = None) -> "PositionalEncoding":
        """Build the encoding from a dict holding (at least) its parameters; other keys are ignored."""
        return cls(**cls.check_values(values or {}))

    @classmethod
    def input_part(cls, seq_len: int, dim: int, own_table: torch.Tensor | None = None) -> torch.Tensor:
        """The rows this kind adds to ``seq_len`` token embeddings of width ``dim``, ``(seq_len, dim)``.

        ``own_table``: the model's own trained position table, for kinds that use it.
        A kind that enters inside attention has no such rows: ValueError.
        """
        if cls.where != "input":
            raise ValueError(
                f"{cls.kind} enters the model inside attention, not at the input; "
                f"it has no rows to add to the token embeddings"
            )
        enc = cls.from_values({"dim": dim})
        rows = enc.vectors(torch.arange(check_positive("seq_len", seq_len)))
        if rows.shape[1] != dim:
            raise ValueError(f"{cls.kind} gives vectors of width {rows.shape[1]}, the model needs {dim}")
        return rows

    @property
    def has_vectors(self) -> bool:
        """Whether the kind defines a vector per position (it overrides :meth:`vectors`)."""
        return type(self).vectors is not PositionalEncoding.vectors

    def matrix(self, seq_len: int) -> torch.Tensor:
        """What ``python -m core positional`` writes: the vectors of positions 0..seq_len-1
        ``(seq_len, dim)``, or for kinds without vectors the scores ``(heads, seq_len, seq_len)``."""
        pos = torch.arange(check_positive("seq_len", seq_len))
        return self.vectors(pos) if self.has_vectors else self.scores(pos, pos)

    def head_fields(self) -> list[dict]:
        """Fields naming each head in titles and legends: ``[{"h": 1}, ...]``."""
        return [{"h": h + 1} for h in range(self.n_heads)]

    def details(self) -> dict:
        """Extra numbers a kind's own views draw (ALiBi: ``slopes``; T5: ``buckets``)."""
        return {}

    def text_fields(self) -> dict:
        """Numbers the kind's sentences on the page quote (``{dim}``, ``{n}``, ``{heads}``, ...)."""
        return {"dim": self.dim or 0, "n": self.max_positions or 0, "heads": self.n_heads}

    def vectors(self, positions) -> torch.Tensor:
        """The vector of each position, ``(n, dim)`` float32.

        Rows for positions past ``max_positions`` are NaN (the encoding has no
        value there), so plots show a gap instead of an error.
        """
        raise NotImplementedError(f"{self.kind} adds a bias to attention scores; it has no vectors")

    def columns(self, positions, columns) -> torch.Tensor:
        """Only some columns of :meth:`vectors`, ``(n, len(columns))`` (kinds may compute just those)."""
        return self.vectors(positions)[:, torch.as_tensor(columns, dtype=torch.long)]

    def scores(self, q_positions, k_positions) -> torch.Tensor:
        """What position alone contributes between query i and key j, ``(heads, n_q, n_k)``.

        For vector encodings: the cosine similarity of the two position vectors
        (for sinusoidal and RoPE this is the mean of cos(offset x frequency)).
        """
        q = self.vectors(q_positions)
        q = q / q.norm(dim=-1, keepdim=True)
        if k_positions is q_positions:  # a position x position matrix: one set of vectors
            return (q @ q.T).unsqueeze(0)
        k = self.vectors(k_positions)
        k = k / k.norm(dim=-1, keepdim=True)
        return (q @ k.T).unsqueeze(0)

    def wavelengths(self) -> torch.Tensor | None:
        """Wavelength in positions of each (sin, cos) pair ``(dim // 2,)``; None if not a wave."""
        return None

    def distance_curves(self, distances, anchors=(0,)) -> list[Curve]:
        """Score between a query at each anchor and a key ``distance`` positions later.

        One curve per anchor: if the curves lie on top of each other the score
        depends only on the offset (translation invariance).
        """
        d = as_positions(distances, "distances")
        anchors = [int(a) for a in anchors]
        if not self.has_vectors:
            return [self._anchor_curve(a, self.scores(torch.tensor([a]), a + d)[0, 0], a + d) for a in anchors]
        # Vector kinds: the keys of all anchors overlap (p + d), so each position's vector is built once.
        keys = torch.cat([a + d for a in anchors] + [torch.tensor(anchors, dtype=torch.long)])
        unique, index = torch.unique(keys, return_inverse=True)
        vec = self.vectors(unique)
        vec = vec / vec.norm(dim=-1, keepdim=True)
        n = d.numel()
        curves = []
        for j, a in enumerate(anchors):
            query = vec[index[len(anchors) * n + j]]
            values = vec[index[j * n:(j + 1) * n]] @ query
            curves.append(self._anchor_curve(a, values, a + d))
        return curves

    def _anchor_curve(self, anchor: int, values: torch.Tensor, keys: torch.Tensor) -> Curve:
        if self.max_positions is not None:
            values = torch.where(keys < self.max_positions, values, torch.nan)
        return Curve("anchor", {"p": anchor}, values)

    def describe(self) -> dict:
        """Plain facts for captions and the page: kind, family, where, dim, max_positions, heads,
        formula, distance_formula, source, views, score_axis."""
        return {
            "kind": self.kind,
            "family": self.family,
            "where": self.where,
            "dim": self.dim,
            "max_positions": self.max_positions,
            "heads": self.n_heads,
            "formula": self.formula,
            "distance_formula": self.distance_formula,
            "source": self.source,
            "views": tuple(self.views),
            "score_axis": self.score_axis,
            "fields": self.text_fields(),
        }
