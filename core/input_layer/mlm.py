"""Masked language modelling: BERT's 15% selection and its 80/10/10 rule.

Each ordinary token is *selected* for prediction with probability
``select_prob`` (special tokens never are). A selected token is then replaced
by ``[MASK]`` (80%), by a random token (10%), or kept as it is (10%); the
model must predict the original at every selected position. The random and
kept cases stop the model from learning "only [MASK] positions matter".
Same draws as Hugging Face's ``DataCollatorForLanguageModeling``, seeded.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

# Action codes per token, used by the figures and the statistics.
NOT_SELECTED, MASKED, RANDOM, KEPT = 0, 1, 2, 3
ACTIONS = ("not_selected", "mask", "random", "keep")
IGNORE_INDEX = -100  # label of positions that are not predicted (PyTorch's cross-entropy default)


@dataclass(frozen=True)
class MaskConfig:
    # Share of ordinary tokens chosen for prediction; 0.15 in BERT (Devlin et al. 2019).
    select_prob: float = 0.15
    # Of the chosen tokens, the share replaced by [MASK]; 0.8 in BERT.
    mask_share: float = 0.8
    # Of the chosen tokens, the share replaced by a random token; 0.1 in BERT (the rest, 0.1, stay).
    random_share: float = 0.1
    # Seed of the random draws, so a lesson shows the same masking every time.
    seed: int = 0

    def __post_init__(self):
        if not 0.0 < self.select_prob <= 1.0:
            raise ValueError(f"select_prob must be in (0, 1], got {self.select_prob}.")
        if not 0.0 <= self.mask_share <= 1.0 or not 0.0 <= self.random_share <= 1.0:
            raise ValueError("mask_share and random_share must each be between 0 and 1.")
        if self.mask_share + self.random_share > 1.0 + 1e-9:
            raise ValueError(
                f"mask_share + random_share must be at most 1 (got {self.mask_share + self.random_share:.2f}); "
                "the rest is the share kept unchanged."
            )
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}.")

    @property
    def keep_share(self) -> float:
        return max(0.0, 1.0 - self.mask_share - self.random_share)

    def expected(self) -> dict[str, float]:
        """The shares the rule aims at: "selected" of ordinary tokens, then "mask"/"random"/"keep" of those."""
        return {"selected": self.select_prob, "mask": self.mask_share, "random": self.random_share,
                "keep": self.keep_share}


@dataclass(frozen=True)
class MaskResult:
    """All tensors have the shape of the input ids.

    masked_ids: what the model reads; labels: the original id where selected, else -100;
    action: NOT_SELECTED / MASKED / RANDOM / KEPT per token.
    """

    input_ids: torch.Tensor
    masked_ids: torch.Tensor
    labels: torch.Tensor
    action: torch.Tensor

    @property
    def selected(self) -> torch.Tensor:
        return self.action != NOT_SELECTED

    def counts(self) -> dict[str, int]:
        """How many tokens got each action, plus "selected" (mask + random + keep)."""
        out = {name: int((self.action == code).sum()) for code, name in enumerate(ACTIONS)}
        out["selected"] = int(self.selected.sum())
        return out


def mask_tokens(
    input_ids: torch.Tensor,
    special: torch.Tensor,
    mask_id: int,
    config: MaskConfig = MaskConfig(),
    random_pool: torch.Tensor | None = None,
    vocab_size: int | None = None,
) -> MaskResult:
    """Apply the selection and the 80/10/10 rule to ``input_ids`` (any shape).

    special: bool tensor of the same shape, True where a token must never be masked.
    random_pool: ids a "random" replacement is drawn from (uniformly); default
        ``range(vocab_size)`` like BERT.
    """
    if special.shape != input_ids.shape:
        raise ValueError(f"special mask shape {tuple(special.shape)} differs from ids {tuple(input_ids.shape)}.")
    if random_pool is None:
        if not vocab_size:
            raise ValueError("Give random_pool or vocab_size for the random replacements.")
        random_pool = torch.arange(vocab_size)
    if random_pool.numel() == 0:
        raise ValueError("random_pool is empty.")
    gen = torch.Generator().manual_seed(config.seed)
    ids = input_ids.detach().cpu().long()
    special = special.detach().cpu().bool()

    selected = torch.bernoulli(torch.full(ids.shape, config.select_prob), generator=gen).bool() & ~special
    masked = torch.bernoulli(torch.full(ids.shape, config.mask_share), generator=gen).bool() & selected
    rest = 1.0 - config.mask_share
    # Of the chosen tokens not masked, the share that becomes random: 0.1 / 0.2 = 0.5 in BERT.
    random_prob = min(1.0, config.random_share / rest) if rest > 0 else 0.0
    randomized = torch.bernoulli(torch.full(ids.shape, random_prob), generator=gen).bool() & selected & ~masked
    picks = torch.randint(random_pool.numel(), ids.shape, generator=gen)

    out = ids.clone()
    out[masked] = mask_id
    out[randomized] = random_pool.long()[picks][randomized]
    action = torch.full(ids.shape, NOT_SELECTED, dtype=torch.long)
    action[selected] = KEPT
    action[masked] = MASKED
    action[randomized] = RANDOM
    labels = torch.where(selected, ids, torch.full_like(ids, IGNORE_INDEX))
    return MaskResult(input_ids=ids, masked_ids=out, labels=labels, action=action)


def masking_statistics(
    input_ids: torch.Tensor, special: torch.Tensor, mask_id: int, config: MaskConfig = MaskConfig(),
    repeats: int = 2000, random_pool: torch.Tensor | None = None, vocab_size: int | None = None,
) -> dict[str, float]:
    """Apply the rule to ``repeats`` copies of one sentence and measure the shares.

    Returns ``selected`` (share of ordinary tokens selected) and ``mask``/``random``/
    ``keep`` (shares among the selected), plus ``n_ordinary`` and ``n_selected``.
    """
    if not 1 <= repeats <= 100_000:
        raise ValueError(f"repeats must be between 1 and 100000, got {repeats}.")
    ids = input_ids.reshape(1, -1).expand(repeats, -1)
    spec = special.reshape(1, -1).expand(repeats, -1)
    result = mask_tokens(ids, spec, mask_id, config, random_pool=random_pool, vocab_size=vocab_size)
    counts = result.counts()
    n_ordinary = int((~spec).sum())
    n_selected = counts["mask"] + counts["random"] + counts["keep"]
    share = (lambda k: counts[k] / n_selected) if n_selected else (lambda k: 0.0)
    return {
        "selected": n_selected / n_ordinary if n_ordinary else 0.0,
        "mask": share("mask"),
        "random": share("random"),
        "keep": share("keep"),
        "n_ordinary": n_ordinary,
        "n_selected": n_selected,
    }


def shown_tokens(tokenizer, result: MaskResult) -> list[str]:
    """The tokens the model reads after masking (``[MASK]``, a random word, or the original)."""
    return tokenizer.convert_ids_to_tokens(result.masked_ids.reshape(-1).tolist())


def action_names(result: MaskResult) -> list[str]:
    """``ACTIONS`` name per token of a 1-D result ("not_selected", "mask", "random", "keep")."""
    return [ACTIONS[a] for a in result.action.reshape(-1).tolist()]
