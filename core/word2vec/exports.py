"""Download files of a finished word2vec run: word2vec text/binary and TensorBoard Projector TSVs."""
from __future__ import annotations

import shutil
from pathlib import Path

EXPORTS = {
    "word2vec_text": "vectors.txt",
    "word2vec_binary": "vectors.bin",
    "projector_vectors": "projector_vectors.tsv",
    "projector_metadata": "projector_metadata.tsv",
}
PROJECTOR_LIMIT = 10_000  # the TensorBoard Projector gets slow beyond ~10k points


def export_files(run_dir: Path, kv=None) -> dict[str, Path]:
    """Download files of a finished run (made once, under ``exports/``), keyed as in :data:`EXPORTS`.

    ``vectors.bin`` is the run's own artifact; the text format and the
    Projector TSVs (at most :data:`PROJECTOR_LIMIT` most frequent words) are
    written on first request. Raises ``ValueError`` when the run saved no vectors.
    """
    from core.vectors.io import load_run_vectors, save_projector_tsv, save_word2vec

    run_dir = Path(run_dir)
    out = run_dir / "exports"
    paths = {
        "word2vec_text": out / EXPORTS["word2vec_text"],
        "word2vec_binary": run_dir / "vectors.bin",
        "projector_vectors": out / EXPORTS["projector_vectors"],
        "projector_metadata": out / EXPORTS["projector_metadata"],
    }
    if not paths["word2vec_binary"].exists():
        raise ValueError("this run has no saved vectors (it may have failed before saving).")
    out.mkdir(exist_ok=True)
    if not all(p.exists() for p in paths.values()):
        kv = kv if kv is not None else load_run_vectors(run_dir)
        if not paths["word2vec_text"].exists():
            save_word2vec(kv, paths["word2vec_text"], binary=False)
        if not (paths["projector_vectors"].exists() and paths["projector_metadata"].exists()):
            save_projector_tsv(kv, paths["projector_vectors"], paths["projector_metadata"], limit=PROJECTOR_LIMIT)
    return paths


def copy_run_files(run_dir: Path, out: Path) -> list[Path]:
    """Copy a finished run's vectors, exports and evaluation into the folder ``out`` (created); return the copies.

    For ``python -m core word2vec --out``: ``vectors.bin``, ``vocab.txt``,
    ``vectors.txt``, the Projector TSVs and ``evaluation.json``, next to each
    other as a tool outside EmbedLab expects them.
    """
    run_dir, out = Path(run_dir), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sources = list(export_files(run_dir).values()) + [run_dir / "vocab.txt", run_dir / "evaluation.json"]
    copies = []
    for source in sources:
        if source.exists():
            copies.append(Path(shutil.copy2(source, out / source.name)))
    return copies
