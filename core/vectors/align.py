"""Orthogonal Procrustes alignment, and per-epoch drift of a training run.

Two trainings of word2vec (or two epochs of one) give equally good vectors
that differ by an arbitrary rotation. Orthogonal Procrustes finds the
rotation R (R^T R = I) that best maps A onto B:

    R = argmin ||A R - B||_F  =  U V^T,  where  U S V^T = svd(A^T B)

after centring both. Applying R before projecting makes two pictures comparable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_SNAPSHOT = re.compile(r"^epoch_(\d+)\.npz$")


def procrustes(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The orthogonal matrix ``(dim, dim)`` that rotates centred ``source`` ``(n, dim)`` onto ``target``."""
    source = np.asarray(source, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if source.shape != target.shape:
        raise ValueError(f"Cannot align sets of different shapes: {source.shape} vs {target.shape}.")
    if source.ndim != 2 or source.shape[0] < 2:
        raise ValueError("Alignment needs at least two shared words.")
    a = source - source.mean(axis=0)
    b = target - target.mean(axis=0)
    u, _, vt = np.linalg.svd(a.T @ b)
    return u @ vt


def align(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``source`` ``(n, dim)`` rotated (about its centre) onto ``target``, moved to target's centre."""
    rotation = procrustes(source, target)
    src = np.asarray(source, dtype=np.float64)
    out = (src - src.mean(axis=0)) @ rotation + np.asarray(target, dtype=np.float64).mean(axis=0)
    return out.astype(np.float32)


def shared_words(kv_a, kv_b, limit: int | None = None) -> list[str]:
    """Words both vector sets know, in ``kv_a``'s frequency order, at most ``limit``."""
    known = kv_b.key_to_index
    out = [w for w in kv_a.index_to_key if w in known]
    return out[:limit] if limit else out


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def compare_projection(kv_a, kv_b, limit: int = 2000) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Shared words and 2D PCA coordinates ``(n, 2)`` of both sets, aligned so the pictures match.

    B's (unit) vectors are rotated onto A's with Procrustes when their
    dimensions agree; each set is then projected with PCA, and B's picture is
    aligned to A's in 2D too (which also fixes PCA's arbitrary axis signs).
    """
    words = shared_words(kv_a, kv_b, limit)
    if len(words) < 3:
        raise ValueError(f"The two vector sets share only {len(words)} words; need at least 3 to compare.")
    a = _unit(kv_a[words])
    b = _unit(kv_b[words])
    if a.shape[1] == b.shape[1]:
        b = align(b, a)
    from sklearn.decomposition import PCA

    from core.vectors.projection import one_thread

    with one_thread():
        pa = PCA(n_components=2, svd_solver="full").fit_transform(a)
        pb = PCA(n_components=2, svd_solver="full").fit_transform(b)
        return words, pa.astype(np.float32), align(pb, pa)


def alignment_error(source: np.ndarray, target: np.ndarray) -> float:
    """Mean distance between matched rows after aligning ``source`` to ``target`` (0 = same shape)."""
    aligned = align(source, target)
    return float(np.linalg.norm(aligned - np.asarray(target, dtype=np.float32), axis=1).mean())


@dataclass(frozen=True)
class Snapshot:
    """One epoch of a run: ``words`` (n,) and ``vectors`` ``(n, dim)`` float32."""

    epoch: int
    words: list
    vectors: np.ndarray


def read_snapshots(run_dir: str | Path) -> list[Snapshot]:
    """The run's ``snapshots/epoch_XXX.npz`` files in epoch order (empty list if it has none)."""
    folder = Path(run_dir) / "snapshots"
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _SNAPSHOT.match(path.name)
        if not match:
            continue
        try:
            with np.load(path, allow_pickle=False) as data:
                words = [str(w) for w in data["words"]]
                vectors = np.asarray(data["vectors"], dtype=np.float32)
        except (OSError, KeyError, ValueError) as err:
            raise ValueError(f"Snapshot {path.name} cannot be read ({err}).") from err
        if vectors.shape[0] != len(words):
            raise ValueError(f"Snapshot {path.name} has {len(words)} words but {vectors.shape[0]} vectors.")
        found.append(Snapshot(int(match.group(1)), words, vectors))
    return sorted(found, key=lambda s: s.epoch)


def drift_projection(snapshots: list[Snapshot], limit: int = 500) -> tuple[list[int], list[str], np.ndarray]:
    """Aligned 2D coordinates ``(epochs, n, 2)`` of the words present in every snapshot.

    Each epoch's unit vectors are rotated onto the last epoch's (Procrustes in
    the full dimension), then all epochs go through the one PCA fitted on
    the last epoch: a word that moves on screen moved in meaning, not because
    the axes spun.
    """
    if not snapshots:
        raise ValueError("This run has no per-epoch snapshots (snapshots/epoch_XXX.npz).")
    last = snapshots[-1]
    common = set(last.words)
    for snap in snapshots[:-1]:
        common &= set(snap.words)
    words = [w for w in last.words if w in common][:limit]
    if len(words) < 3:
        raise ValueError("The snapshots share fewer than 3 words; nothing to show.")
    target = _unit(last.vectors[[last.words.index(w) for w in words]])
    from sklearn.decomposition import PCA

    from core.vectors.projection import one_thread

    coords = []
    with one_thread():
        pca = PCA(n_components=2, svd_solver="full").fit(target)
        for snap in snapshots:
            index = {w: i for i, w in enumerate(snap.words)}
            vectors = _unit(snap.vectors[[index[w] for w in words]])
            coords.append(pca.transform(align(vectors, target)))
    return [s.epoch for s in snapshots], words, np.asarray(coords, dtype=np.float32)


def neighbour_drift(snapshots: list[Snapshot], word: str, k: int = 5) -> list[tuple[int, list[tuple[str, float]]]]:
    """For each epoch, ``word``'s ``k`` nearest neighbours among the snapshot words, with cosine."""
    word = (word or "").strip()
    if not snapshots:
        raise ValueError("This run has no per-epoch snapshots (snapshots/epoch_XXX.npz).")
    out = []
    for snap in snapshots:
        if word not in snap.words:
            raise ValueError(
                f"{word!r} is not among the {len(snap.words)} most frequent words kept in the snapshots."
            )
        unit = _unit(snap.vectors)
        i = snap.words.index(word)
        scores = unit @ unit[i]
        scores[i] = -np.inf
        top = np.argsort(-scores)[:k]
        out.append((snap.epoch, [(snap.words[j], float(scores[j])) for j in top]))
    return out
