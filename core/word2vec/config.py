"""Hyperparameters of a word2vec run, shared by the torch and gensim engines.

Each field declares its settings schema (:func:`core.settings.setting`): bounds,
step, the locale keys of its label and help (``train.hp.<field>``,
``train.help.<field>`` in ``locales/train.json``, en and zh), so the training
page's form (``ui.form``), ``python -m core word2vec --help`` and the validation
below say the same numbers. Defaults are word2vec's (Mikolov et al. 2013, the C
tool) unless a comment says why not.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import ClassVar

from core import settings
from core.settings import setting


@dataclass(frozen=True)
class TrainConfig:
    STRINGS: ClassVar[str] = "train"

    sg: bool = setting(True, widget="radio")  # skip-gram: learns rare words better, which small uploads need
    vector_size: int = setting(100, low=1, high=2000, step=10)
    window: int = setting(5, low=1, high=50, unit="words")
    negative: int = setting(5, low=1, high=100, unit="samples")
    min_count: int = setting(5, low=1)
    max_vocab: int = setting(0, low=0, step=1000, zero="no cap")
    sample: float = setting(1e-3, low=0.0, high=1.0, step=1e-4, fmt="%.5f", zero="off")
    alpha: float = setting(0.025, low=1e-5, high=1.0, step=0.005, fmt="%.4f")
    min_alpha: float = setting(0.0001, low=0.0, high=1.0, step=1e-5, fmt="%.5f")
    epochs: int = setting(5, low=1, high=1000)
    seed: int = setting(1, low=0, high=2**32 - 1)
    # Torch engine only (engines.torch.TorchEngine.extra_parameters); 16384 suits CPU and GPU on typical uploads.
    batch_size: int = setting(16384, low=1, high=4_194_304, step=1024, unit="pairs")

    def __post_init__(self):
        if not isinstance(self.sg, bool):
            raise ValueError(f"sg must be True (skip-gram) or False (CBOW), not {self.sg!r}.")
        settings.validate(self)
        if self.max_vocab == 1:
            raise ValueError("max_vocab must be 0 (no cap) or at least 2, not 1.")
        if self.min_alpha > self.alpha:
            raise ValueError(f"min_alpha must be between 0 and alpha ({self.alpha}) (try 0.0001), not {self.min_alpha}.")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        """Build from a dict (e.g. config.json), rejecting unknown keys with a clear message."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown word2vec setting(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
        return cls(**data)

    @classmethod
    def help(cls, lang: str = "en") -> dict[str, str]:
        """Field name -> its help text in ``lang`` (the page's help, the CLI's ``--help``)."""
        return {spec.name: settings.help_text(spec, lang) for spec in settings.schema(cls)}
