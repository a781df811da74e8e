"""Use a fine-tuned model: predictions for the playground, and the model as a zip."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Predictor:
    """A loaded fine-tuned model; ``task`` is "classification" or "ner"."""

    model: object
    tokenizer: object
    task: str
    labels: list[str]
    max_length: int = 512

    def classify(self, text: str, text_pair: str | None = None) -> list[tuple[str, float]]:
        """``[(label, probability), ...]`` for one text, most likely first; probabilities sum to 1."""
        import torch

        if not text.strip():
            raise ValueError("type a sentence first.")
        enc = self.tokenizer(text, text_pair or None, truncation=True, max_length=self.max_length, return_tensors="pt")
        with torch.no_grad():
            probs = torch.softmax(self.model(**enc).logits[0].float(), dim=-1).tolist()
        return sorted(zip(self.labels, probs), key=lambda lp: -lp[1])

    def tag(self, text: str) -> dict:
        """Entities in ``text``.

        Returns ``{"words": [{"word", "start", "end", "tag", "score"}], "entities": [{"type", "start",
        "end", "text", "score"}]}``; ``start``/``end`` are character offsets into ``text``. A word's tag
        is the prediction for its first sub-token, as in training.
        """
        import torch

        if not text.strip():
            raise ValueError("type a sentence first.")
        enc = self.tokenizer(text, truncation=True, max_length=self.max_length, return_offsets_mapping=True,
                             return_tensors="pt")
        offsets = enc.pop("offset_mapping")[0].tolist()
        word_ids = enc.word_ids(0)
        with torch.no_grad():
            probs = torch.softmax(self.model(**enc).logits[0].float(), dim=-1)
        conf, pred = probs.max(dim=-1)
        words: list[dict] = []
        for i, word in enumerate(word_ids):
            if word is None:
                continue
            start, end = offsets[i]
            if words and words[-1]["id"] == word:
                words[-1]["end"] = end
                continue
            words.append({"id": word, "start": start, "end": end, "tag": self.labels[pred[i]], "score": float(conf[i])})
        for w in words:
            w["word"] = text[w["start"]:w["end"]]
            del w["id"]
        return {"words": words, "entities": group_entities(text, words)}


def group_entities(text: str, words: list[dict]) -> list[dict]:
    """Merge BIO-tagged words into entities; an ``I-X`` that does not continue an X starts one (lenient)."""
    entities: list[dict] = []
    current = None
    for w in words:
        tag = w["tag"]
        if tag == "O":
            current = None
            continue
        prefix, kind = tag[:1], tag[2:]
        if prefix == "I" and current is not None and current["type"] == kind:
            current["end"] = w["end"]
            current["scores"].append(w["score"])
        else:
            current = {"type": kind, "start": w["start"], "end": w["end"], "scores": [w["score"]]}
            entities.append(current)
    for e in entities:
        e["text"] = text[e["start"]:e["end"]]
        e["score"] = sum(e["scores"]) / len(e["scores"])
        del e["scores"]
    return entities


def load_predictor(path: str | Path) -> Predictor:
    """Load ``path`` (a run folder holding ``model/``, or a model folder) for prediction on the CPU."""
    import transformers

    from core.models import load_model, load_tokenizer

    path = Path(path)
    model_dir = path / "model" if (path / "model" / "config.json").is_file() else path
    if not (model_dir / "config.json").is_file():
        raise ValueError(f"{path} holds no fine-tuned model yet (the run has not saved one).")
    config = transformers.AutoConfig.from_pretrained(str(model_dir), trust_remote_code=False)
    archs = " ".join(config.architectures or [])
    task = "ner" if "TokenClassification" in archs else "classification"
    cls = "AutoModelForTokenClassification" if task == "ner" else "AutoModelForSequenceClassification"
    model = load_model(str(model_dir), cls).eval()
    labels = [config.id2label[i] for i in range(len(config.id2label))]
    limit = getattr(config, "max_position_embeddings", 512) or 512
    return Predictor(model, load_tokenizer(str(model_dir)), task, labels, max_length=min(512, limit))


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
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for p in sorted(model_dir.rglob("*")):
            if p.is_file():
                zf.write(p, Path("model") / p.relative_to(model_dir))
        for extra in ("labels.json", "report.json", "config.json"):
            if (run_dir / extra).is_file():
                zf.write(run_dir / extra, extra)
    tmp.replace(target)
    return target
