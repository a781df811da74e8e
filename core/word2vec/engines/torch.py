"""The torch engine: batched skip-gram/CBOW with negative sampling on any torch device.

The training code is ``core/word2vec/torch_engine.py``; this file says what
the engine is to the rest of EmbedLab (devices, job resource, parameters).
"""
from __future__ import annotations

from core.word2vec.engines import register
from core.word2vec.engines.base import Engine


@register
class TorchEngine(Engine):
    name = "torch"
    description = ("higher quality in our measurements (WordSim353 0.41-0.47 vs 0.24-0.25 for gensim on the same "
                   "corpus) and runs on a GPU; on a CPU it is 6-20x slower than gensim")
    extra_parameters = ("batch_size",)
    preferred_on = ("cuda", "mps")
    order = 10

    def devices(self) -> list[str]:
        """``auto``, ``cpu``, each visible ``cuda:i``, ``mps`` where there is one (checked by ``core.device.pick``)."""
        from core.device import available

        return available()

    def check_device(self, device) -> str:
        from core.device import pick

        text = "auto" if device in (None, "") else str(device)
        if text != "auto":
            try:
                pick(text)
            except RuntimeError:
                raise ValueError(f"{text!r} is not a device; choose one of {', '.join(self.devices())}.") from None
        return text

    def device_type(self, device) -> str:
        from core.device import resolve

        return resolve(None if device in (None, "", "auto") else device).type

    def resource(self, device) -> str:
        return "cpu" if self.device_type(device) == "cpu" else "gpu"

    def train(self, sentences, config, *, device="auto", on_progress=None, should_stop=None, on_epoch_end=None):
        from core.device import resolve
        from core.word2vec.torch_engine import train_torch

        return train_torch(sentences, config, device=resolve(None if device == "auto" else device),
                           on_progress=on_progress, should_stop=should_stop, on_epoch_end=on_epoch_end)
