"""T5's relative position buckets (Raffel et al. 2020, sec. 2.1; the Mesh TensorFlow rule).

Each head learns one scalar per bucket, added to the score of query i and
key j according to the bucket of their offset j - i. Offsets smaller than
max_exact = num_buckets/2 (per direction) get a bucket each; larger ones
share logarithmically wider buckets up to max_distance; everything further
falls into the last bucket. So T5 tells "3 tokens away" from "4 tokens
away", but not "300" from "3000".
"""
from __future__ import annotations

import math

import torch

from core.positional.base import Curve, Param, PositionalEncoding, as_positions, check_positive, check_size
from core.positional.registry import register


def t5_relative_bucket(relative_position, bidirectional: bool = True,
                       num_buckets: int = 32, max_distance: int = 128) -> torch.Tensor:
    """The bucket of each offset (key position - query position), same shape, int64.

    Equal to ``transformers``' ``T5Attention._relative_position_bucket``. With
    ``bidirectional`` the first half of the buckets is for keys before (or at)
    the query and the second half for keys after; otherwise keys after the
    query all get bucket 0 (a decoder never sees them).
    """
    num_buckets = check_positive("num_buckets", num_buckets)
    max_distance = check_positive("max_distance", max_distance)
    per_direction = num_buckets // 2 if bidirectional else num_buckets
    max_exact = per_direction // 2
    if max_exact < 1:
        raise ValueError(f"num_buckets must be at least {4 if bidirectional else 2}, got {num_buckets}")
    if max_distance <= max_exact:
        raise ValueError(f"max_distance must exceed the {max_exact} exact buckets, got {max_distance}")
    rel = torch.as_tensor(relative_position)
    if rel.is_floating_point():
        raise ValueError("relative_position must be whole numbers (an integer tensor)")
    rel = rel.to(torch.long)
    bucket = torch.zeros_like(rel)
    if bidirectional:
        bucket = bucket + (rel > 0).to(torch.long) * per_direction
        distance = rel.abs()
    else:
        distance = (-rel).clamp(min=0)
    # Log-spaced buckets for max_exact <= distance < max_distance; clamp(min=1) only avoids log(0)
    # on entries that take the exact branch anyway.
    log_ratio = torch.log(distance.clamp(min=1).to(torch.float32) / max_exact) / math.log(max_distance / max_exact)
    large = max_exact + (log_ratio * (per_direction - max_exact)).to(torch.long)
    large = large.clamp(max=per_direction - 1)
    return bucket + torch.where(distance < max_exact, distance, large)


@register
class T5Relative(PositionalEncoding):
    kind = "t5"
    order = 50
    family = "bias"
    where = "attention"
    params = (
        Param("num_buckets", 32, "buckets, both directions together (T5's default 32)", int,
              minimum=4, maximum=1024, widget=(4, 128, 2)),
        Param("max_distance", 128, "offsets at least this far share the last bucket (T5's default 128)", int,
              minimum=2, maximum=16_384, widget=(8, 1024, 8)),
    )
    source = "Raffel et al. 2020, Exploring the Limits of Transfer Learning (T5), sec. 2.1"
    views = ("matrix", "buckets", "distance", "beyond", "compare")
    score_axis = "bucket"
    output = "the bucket of each (query, key) pair, (seq_len, seq_len) int64"

    def __init__(self, num_buckets: int = 32, max_distance: int = 128, bidirectional: bool = True):
        t5_relative_bucket(torch.zeros(1, dtype=torch.long), bidirectional, num_buckets, max_distance)
        self.num_buckets = int(num_buckets)
        self.max_distance = int(max_distance)
        self.bidirectional = bool(bidirectional)
        half = self.num_buckets // 2 if self.bidirectional else self.num_buckets
        exact = half // 2
        self.formula = (r"\begin{aligned} \text{score}_h(i, j) = {} & q_i \cdot k_j \\ "
                        r"& + \beta_h\big[\,\text{bucket}(j - i)\,\big] \end{aligned}")
        self.distance_formula = (
            r"\text{bucket}(\Delta) = \begin{cases} \lvert\Delta\rvert & \lvert\Delta\rvert < %d \\ "
            r"\min\!\left(%d,\ %d + \left\lfloor %d\,\frac{\ln(\lvert\Delta\rvert/%d)}{\ln(%d/%d)} "
            r"\right\rfloor\right) & \lvert\Delta\rvert \ge %d \end{cases} \ (+%d \text{ if } \Delta > 0)"
            % (exact, half - 1, exact, half - exact, exact, self.max_distance, exact, exact, half))

    def matrix(self, seq_len: int) -> torch.Tensor:
        """The bucket id of each (query, key) pair, ``(seq_len, seq_len)`` int64."""
        pos = torch.arange(check_positive("seq_len", seq_len))
        check_size(seq_len, seq_len, what="the T5 bucket matrix")
        return self.bucket(pos[None, :] - pos[:, None])

    def details(self) -> dict:
        return {"buckets": bucket_ranges(self.num_buckets, self.max_distance)}

    def text_fields(self) -> dict:
        half = self.num_buckets // 2 if self.bidirectional else self.num_buckets
        return {**super().text_fields(), "buckets": self.num_buckets, "half": half, "exact": half // 2,
                "exact_last": half // 2 - 1, "last_before": half - 1, "last": self.num_buckets - 1,
                "max_distance": self.max_distance}

    def scores(self, q_positions, k_positions) -> torch.Tensor:
        """The bucket id of each (query, key) pair as float, ``(1, n_q, n_k)``; T5 learns one bias per id."""
        q = as_positions(q_positions, "query positions")
        k = as_positions(k_positions, "key positions")
        check_size(q.numel(), k.numel(), what="the T5 bucket matrix")
        rel = k[None, :] - q[:, None]
        return self.bucket(rel).to(torch.float32)[None]

    def bucket(self, relative_position) -> torch.Tensor:
        return t5_relative_bucket(relative_position, self.bidirectional, self.num_buckets, self.max_distance)

    def distance_curves(self, distances, anchors=(0,)) -> list[Curve]:
        """Bucket of a key d positions after the query, and of one d positions before."""
        d = as_positions(distances, "distances")
        return [
            Curve("after", {}, self.bucket(d).to(torch.float32)),
            Curve("before", {}, self.bucket(-d).to(torch.float32)),
        ]


def bucket_ranges(num_buckets: int = 32, max_distance: int = 128, horizon: int | None = None) -> list[tuple[int, int, int | None]]:
    """Which distances share a bucket, for keys after the query: ``[(bucket, first, last), ...]``.

    ``last`` is None for the final bucket, which takes every distance from
    ``first`` on. ``horizon`` (default 4 x max_distance) is how far to scan.
    """
    horizon = horizon or 4 * max_distance
    d = torch.arange(0, horizon + 1)
    ids = t5_relative_bucket(d, True, num_buckets, max_distance).tolist()
    ranges: list[list] = []
    for dist, b in enumerate(ids):
        if ranges and ranges[-1][0] == b:
            ranges[-1][2] = dist
        else:
            ranges.append([b, dist, dist])
    ranges[-1][2] = None  # the last bucket never ends
    return [tuple(r) for r in ranges]
