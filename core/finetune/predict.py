"""Use a fine-tuned model: predictions for the playground, and the model as a zip."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.atomic import atomic_write
from core.finetune import tasks


@dataclass
class Predictor:
    """A loaded fine-tuned model and the task whose head it has (``task``: a registered name)."""

    model: object
    tokenizer: object
    task: str
    labels: list[str]
    max_length: int = 512

    @property
    def view(self) -> str:
        """How the page draws a prediction: the task's ``report_view`` ("per_text" or "per_word")."""
        return tasks.get(self.task).report_view

    @property
    def inputs(self) -> tuple[str, ...]:
        """What the playground asks for this model: its task's ``playground_inputs`` ("text", "threshold")."""
        return tasks.get(self.task).playground_inputs

    def predict(self, text: str, **inputs) -> dict:
        """The task's prediction for one text (see each task's ``predict``); ValueError for empty text.

        ``inputs``: the task's other playground inputs (e.g. ``threshold=0.5``)."""
        if not text.strip():
            raise ValueError("type a sentence first.")
        return tasks.get(self.task).predict(self.model, self.tokenizer, self.labels, text, self.max_length, **inputs)

    def classify(self, text: str) -> list[tuple[str, float]]:
        """``[(label, probability), ...]`` for one text, most likely first (per-text tasks)."""
        return self.predict(text)["probabilities"]

    def tag(self, text: str) -> dict:
        """``{"words", "entities", "no_pieces"}`` for one text (per-word tasks); offsets are characters of ``text``."""
        return self.predict(text)


def load_predictor(path: str | Path) -> Predictor:
    """Load ``path`` (a run folder holding ``model/``, or a model folder) for prediction on the CPU."""
    import transformers

    from core.models import load_model, load_tokenizer

    path = Path(path)
    model_dir = path / "model" if (path / "model" / "config.json").is_file() else path
    if not (model_dir / "config.json").is_file():
        raise ValueError(f"{path} holds no fine-tuned model yet (the run has not saved one).")
    config = transformers.AutoConfig.from_pretrained(str(model_dir), trust_remote_code=False)
    task = tasks.for_model(config)
    model = load_model(str(model_dir), task.head).eval()
    labels = [config.id2label[i] for i in range(len(config.id2label))]
    limit = getattr(config, "max_position_embeddings", 512) or 512
    return Predictor(model, load_tokenizer(str(model_dir)), task.name, labels, max_length=min(512, limit))


def export_zip(run_dir: str | Path) -> Path:
    """Zip ``run_dir/model`` (plus report/labels) into ``run_dir/model.zip``; reused while newer than the model."""
    run_dir = Path(run_dir)
    model_dir = run_dir / "model"
    if not (model_dir / "config.json").is_file():
        raise ValueError("this run has no saved model to download yet.")
    target = run_dir / "model.zip"
    newest = max(p.stat().st_mtime for p in model_dir.rglob("*") if p.is_file())
    if target.is_file() and target.stat().st_mtime >= newest:
        return target

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for p in sorted(model_dir.rglob("*")):
                if p.is_file():
                    zf.write(p, Path("model") / p.relative_to(model_dir))
            for extra in ("labels.json", "report.json", "config.json"):
                if (run_dir / extra).is_file():
                    zf.write(run_dir / extra, extra)

    return atomic_write(target, write)
