"""Orthogonal Procrustes recovers a known rotation; drift over snapshots; comparing two sets."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ortho_group

from core.vectors import align
from tests.vectors.explorer_fixtures import make_kv


def test_procrustes_recovers_a_known_rotation():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 10))
    r = ortho_group.rvs(10, random_state=1)
    b = a @ r + 5.0  # rotated and moved
    np.testing.assert_allclose(align.procrustes(a, b), r, atol=1e-8)
    np.testing.assert_allclose(align.align(a, b), b, atol=1e-4)
    assert align.alignment_error(a, b) < 1e-4


def test_procrustes_is_orthogonal_even_with_noise():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(50, 4))
    b = a @ ortho_group.rvs(4, random_state=2) + rng.normal(scale=0.1, size=(50, 4))
    r = align.procrustes(a, b)
    np.testing.assert_allclose(r.T @ r, np.eye(4), atol=1e-10)
    # Aligning can only reduce the mismatch compared with doing nothing.
    assert align.alignment_error(a, b) < np.linalg.norm((a - a.mean(0)) - (b - b.mean(0)), axis=1).mean()


def test_shapes_must_match():
    with pytest.raises(ValueError, match="different shapes"):
        align.procrustes(np.zeros((5, 3)), np.zeros((4, 3)))


def _write_snapshots(run_dir, epochs=3, n=40, dim=8):
    rng = np.random.default_rng(0)
    final = rng.normal(size=(n, dim)).astype(np.float32)
    words = np.array([f"w{i}" for i in range(n)])
    folder = run_dir / "snapshots"
    folder.mkdir(parents=True)
    for e in range(1, epochs + 1):
        r = ortho_group.rvs(dim, random_state=e)
        vectors = (final @ r).astype(np.float32) if e < epochs else final
        np.savez(folder / f"epoch_{e:03d}.npz", words=words, vectors=vectors)
    (folder / "notes.txt").write_text("ignored")
    return words, final


def test_drift_of_pure_rotations_is_zero(tmp_path):
    """Epochs that differ only by a rotation must land on the same picture once aligned."""
    _write_snapshots(tmp_path)
    snaps = align.read_snapshots(tmp_path)
    assert [s.epoch for s in snaps] == [1, 2, 3]
    epochs, words, coords = align.drift_projection(snaps, limit=30)
    assert epochs == [1, 2, 3] and len(words) == 30 and coords.shape == (3, 30, 2)
    np.testing.assert_allclose(coords[0], coords[2], atol=1e-4)
    np.testing.assert_allclose(coords[1], coords[2], atol=1e-4)


def test_neighbour_drift_table(tmp_path):
    _write_snapshots(tmp_path)
    snaps = align.read_snapshots(tmp_path)
    table = align.neighbour_drift(snaps, "w0", k=3)
    assert [e for e, _ in table] == [1, 2, 3]
    # A rotation keeps cosines: every epoch has the same neighbours.
    assert all([w for w, _ in nb] == [w for w, _ in table[-1][1]] for _, nb in table)
    with pytest.raises(ValueError, match="not among"):
        align.neighbour_drift(snaps, "zzz")


def test_no_snapshots_is_an_empty_list_and_a_clear_error(tmp_path):
    assert align.read_snapshots(tmp_path) == []
    with pytest.raises(ValueError, match="no per-epoch snapshots"):
        align.drift_projection([])


def test_compare_projection_of_rotated_copy_gives_same_picture():
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(60)]
    x = rng.normal(size=(60, 6))
    kv_a = make_kv(words, x)
    kv_b = make_kv(words[::-1] + ["extra"], np.vstack([(x @ ortho_group.rvs(6, random_state=4))[::-1], np.ones(6)]))
    shared, pa, pb = align.compare_projection(kv_a, kv_b, limit=50)
    assert shared == words[:50]
    np.testing.assert_allclose(pa, pb, atol=1e-3)


def test_compare_needs_shared_words():
    with pytest.raises(ValueError, match="share only 0"):
        align.compare_projection(make_kv(["a", "b"], np.eye(2)), make_kv(["c", "d"], np.eye(2)))
