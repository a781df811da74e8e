"""What every word2vec engine shares: the verbs the registry, the job, the page and the CLI call.

An engine is one short file in this package (``torch.py``, ``gensim.py``) with
a subclass of :class:`Engine` decorated with
:func:`core.word2vec.engines.register`. The subclass owns everything that
differs between engines: its name, its one-line description, the extra
``TrainConfig`` fields it reads, the devices it runs on, which job resource
("cpu"/"gpu") a run on a device needs, and ``train``. Heavy imports (torch,
gensim) stay inside the methods, so listing engines is cheap.
"""
from __future__ import annotations

from typing import Iterable

# Device types a machine can offer (``torch.device(...).type``).
DEVICE_TYPES = ("cpu", "cuda", "mps")


class Engine:
    """Base class of a word2vec engine; subclasses override the attributes and methods below.

    Every engine returns gensim ``KeyedVectors`` (vectors (vocab, vector_size)
    float32, most frequent word first, a ``count`` per word) and honours the
    callbacks of :func:`core.word2vec.train`.
    """

    # Registry key: what config.json, ``--engine`` and the page store. Lower-case, no spaces.
    name: str = ""
    # One English line: what this engine offers a user (the page shows its translation,
    # ``train.engine_about.<name>`` in locales/train.json, when there is one).
    description: str = ""
    # TrainConfig fields only this engine reads (the page shows them only when it is chosen).
    extra_parameters: tuple[str, ...] = ()
    # Device types on which this engine is the default (see ``engines.default_engine``).
    preferred_on: tuple[str, ...] = ()
    # Position in choice lists (smaller first); ties are sorted by name.
    order: int = 100

    def devices(self) -> list[str]:
        """The device choices a user may pick for this engine here, the default first."""
        return ["cpu"]

    def check_device(self, device) -> str:
        """``device`` normalised to a string this engine accepts (``"auto"`` allowed).

        Raises ``ValueError`` naming the engine's devices when it cannot run there.
        """
        text = "auto" if device in (None, "") else str(device)
        if text == "auto" or text in self.devices():
            return text
        raise ValueError(
            f"The {self.name} engine runs on {', '.join(self.devices())} only, not {text!r}; "
            "choose another device or another engine."
        )

    def resource(self, device) -> str:
        """Which job queue a run on ``device`` waits in: ``"gpu"`` or ``"cpu"``."""
        return "cpu"

    def device_type(self, device) -> str:
        """The device type (``"cpu"``, ``"cuda"``, ``"mps"``) a run on ``device`` ends up using."""
        return "cpu"

    def train(
        self,
        sentences: Iterable[list[str]],
        config,
        *,
        device: str = "auto",
        on_progress=None,
        should_stop=None,
        on_epoch_end=None,
    ):
        """Train on a re-iterable of token lists; return gensim ``KeyedVectors`` (see the class docstring)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<word2vec engine {self.name}>"
