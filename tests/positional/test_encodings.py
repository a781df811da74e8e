"""The encodings against independent arithmetic, the papers' reference rules, and the model itself."""
from __future__ import annotations

import math

import pytest
import torch

from core import positional as pe


# --- sinusoidal: Vaswani et al. 2017, sec. 3.5, number by number -------------------------------

@pytest.mark.parametrize("p, col", [(0, 0), (0, 1), (1, 0), (1, 1), (7, 10), (50, 33), (127, 62), (127, 63)])
def test_sinusoidal_matches_the_paper_entry_by_entry(p, col):
    table = pe.sinusoidal(128, 64)
    i = col // 2
    angle = p / (10000.0 ** (2 * i / 64))
    expected = math.sin(angle) if col % 2 == 0 else math.cos(angle)
    assert table[p, col].item() == pytest.approx(expected, abs=1e-6)


def test_sinusoidal_base_changes_the_frequencies():
    table = pe.sinusoidal(10, 8, base=100.0)
    assert table[3, 2].item() == pytest.approx(math.sin(3 / 100.0 ** (2 / 8)), abs=1e-6)
    assert table[3, 7].item() == pytest.approx(math.cos(3 / 100.0 ** (6 / 8)), abs=1e-6)


def test_sinusoidal_shape_dtype_and_worked_example():
    table = pe.sinusoidal(4, 4)
    assert table.shape == (4, 4) and table.dtype == torch.float32
    # position 0: sin(0) = 0, cos(0) = 1 in every pair
    assert table[0].tolist() == [0.0, 1.0, 0.0, 1.0]
    # position 1, pair 0: sin(1), cos(1); pair 1: frequency 1/100
    assert table[1].tolist() == pytest.approx([math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)], abs=1e-7)


def test_sinusoidal_dot_product_depends_only_on_offset():
    table = pe.sinusoidal(200, 32).double()
    for offset in (1, 5, 40):
        dots = [(table[p] @ table[p + offset]).item() for p in (0, 13, 100, 150)]
        assert max(dots) - min(dots) < 1e-4


# --- RoPE ------------------------------------------------------------------------------------

def test_rope_rotates_each_pair_by_p_theta():
    x = torch.randn(5, 8, dtype=torch.float64)
    out = pe.apply_rope(x, base=10000.0)
    p, i = 3, 2
    theta = 10000.0 ** (-2 * i / 8)
    a, b = x[p, 2 * i].item(), x[p, 2 * i + 1].item()
    c, s = math.cos(p * theta), math.sin(p * theta)
    assert out[p, 2 * i].item() == pytest.approx(a * c - b * s, abs=1e-12)
    assert out[p, 2 * i + 1].item() == pytest.approx(a * s + b * c, abs=1e-12)
    assert torch.equal(out[0], x[0])  # position 0 is not rotated


def test_rope_score_depends_only_on_the_offset_and_keeps_norms():
    torch.manual_seed(0)
    q, k = torch.randn(64, dtype=torch.float64), torch.randn(64, dtype=torch.float64)
    seq = 300
    qs = pe.apply_rope(q.expand(seq, 64).clone())
    ks = pe.apply_rope(k.expand(seq, 64).clone())
    assert torch.allclose(qs.norm(dim=-1), q.norm().expand(seq), atol=1e-10)
    for offset in (0, 1, 17, 150):
        scores = torch.stack([qs[m] @ ks[m + offset] for m in (0, 10, 99, 149)])
        assert (scores.max() - scores.min()).item() < 1e-9
    # and the offset does matter (the test would pass trivially for a constant)
    assert abs((qs[0] @ ks[1]).item() - (qs[0] @ ks[50]).item()) > 1e-3


def test_rope_accepts_batches_explicit_positions_and_keeps_dtype():
    x = torch.randn(2, 3, 6, 16)  # (batch, heads, seq, dim)
    out = pe.apply_rope(x)
    assert out.shape == x.shape and out.dtype == torch.float32
    shifted = pe.apply_rope(x, positions=torch.arange(10, 16))
    # rotating everything by 10 more positions leaves q.k between two rows unchanged
    assert torch.allclose(out[..., 1, :] @ out[..., 4, :].transpose(-1, -2),
                          shifted[..., 1, :] @ shifted[..., 4, :].transpose(-1, -2), atol=1e-4)
    assert pe.apply_rope(x.half()).dtype == torch.float16


def test_rope_vectors_are_the_unit_query_rotated_by_apply_rope():
    enc = pe.Rope(dim=16, base=500.0)
    pos = torch.tensor([0, 1, 7, 300])
    unit = torch.zeros(4, 16)
    unit[:, 0::2] = 1.0
    assert torch.allclose(enc.vectors(pos), pe.apply_rope(unit, pos, base=500.0), atol=1e-6)


@pytest.mark.gpu
def test_rope_on_the_gpu_equals_the_cpu():
    x = torch.randn(2, 4, 128, 64)
    positions = torch.arange(100, 228, device="cuda")
    out = pe.apply_rope(x.cuda(), positions=positions)
    assert out.device.type == "cuda"
    assert torch.allclose(out.cpu(), pe.apply_rope(x, positions=positions.cpu()), atol=1e-5)


def test_rope_decay_bound_falls_with_distance():
    bound = pe.decay_bound(torch.tensor([0, 10, 100, 1000]), 128)
    assert bound[0].item() == pytest.approx((64 + 1) / 2)
    assert bound[0] > bound[1] > bound[2] > bound[3]


# --- ALiBi: Press et al. 2022 --------------------------------------------------------------

def reference_get_slopes(n):
    """Written out from the ALiBi authors' repository (ofirpress/attention_with_linear_biases)."""
    def get_slopes_power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        ratio = start
        return [start * ratio ** i for i in range(n)]

    if math.log2(n).is_integer():
        return get_slopes_power_of_2(n)
    closest_power_of_2 = 2 ** math.floor(math.log2(n))
    return (get_slopes_power_of_2(closest_power_of_2)
            + reference_get_slopes(2 * closest_power_of_2)[0::2][: n - closest_power_of_2])


def test_alibi_slopes_for_8_heads_are_half_to_1_over_256():
    assert pe.alibi_slopes(8).tolist() == [1 / 2 ** k for k in range(1, 9)]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 6, 8, 12, 16, 20, 24, 32, 48, 64])
def test_alibi_slopes_match_the_reference(n):
    assert pe.alibi_slopes(n).tolist() == pytest.approx(reference_get_slopes(n), rel=1e-6)


def test_alibi_12_heads_interleave_the_16_head_slopes():
    slopes = pe.alibi_slopes(12).tolist()
    assert slopes[:8] == pytest.approx([2 ** -k for k in range(1, 9)])
    assert slopes[8:] == pytest.approx([2 ** -0.5, 2 ** -1.5, 2 ** -2.5, 2 ** -3.5])


def test_alibi_bias_is_minus_slope_times_distance():
    bias = pe.alibi_bias(6, 4)
    assert bias.shape == (4, 6, 6) and bias.dtype == torch.float32
    slopes = pe.alibi_slopes(4)
    for h, i, j in [(0, 0, 5), (1, 4, 1), (3, 2, 2)]:
        assert bias[h, i, j].item() == pytest.approx(-slopes[h].item() * abs(i - j))
    causal = pe.alibi_bias(4, 2, causal=True)
    assert causal[0, 1, 2].item() == -math.inf and causal[0, 2, 1].item() == pytest.approx(-1 / 16)  # 2 heads: m = 2^-4, 2^-8


# --- T5 buckets ----------------------------------------------------------------------------

@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("num_buckets, max_distance", [(32, 128), (16, 64), (64, 256)])
def test_t5_buckets_equal_transformers(bidirectional, num_buckets, max_distance):
    from transformers.models.t5.modeling_t5 import T5Attention

    rel = torch.arange(-600, 601)
    ours = pe.t5_relative_bucket(rel, bidirectional, num_buckets, max_distance)
    theirs = T5Attention._relative_position_bucket(rel, bidirectional, num_buckets, max_distance)
    assert torch.equal(ours, theirs)


def test_t5_bucket_worked_example():
    rel = torch.tensor([0, -1, -7, -8, -12, -127, -128, -10_000, 1, 200])
    assert pe.t5_relative_bucket(rel).tolist() == [0, 1, 7, 8, 9, 15, 15, 15, 17, 31]


def test_t5_bucket_ranges_cover_every_distance_once():
    from core.positional.t5 import bucket_ranges

    ranges = bucket_ranges(32, 128)
    assert ranges[0] == (0, 0, 0) and ranges[-1][2] is None
    for (_, _, last), (_, first, _) in zip(ranges, ranges[1:]):
        assert first == last + 1


# --- learned: the shipped MiniLM --------------------------------------------------------------

def test_learned_table_is_the_models_own_position_embeddings():
    table = pe.learned()
    assert table.shape == (512, 384) and table.dtype == torch.float32
    from core.models import load_model

    model = load_model()
    assert torch.equal(table, model.embeddings.position_embeddings.weight.detach())


def test_learned_returns_a_copy_and_has_nothing_past_512():
    first = pe.learned()
    first.zero_()
    assert pe.learned().abs().sum() > 0
    enc = pe.Learned()
    vectors = enc.vectors(torch.tensor([0, 511, 512, 2000]))
    assert torch.isfinite(vectors[:2]).all() and torch.isnan(vectors[2:]).all()


def test_learned_rejects_a_folder_without_a_model(tmp_path):
    with pytest.raises(ValueError, match="config.json"):
        pe.learned(tmp_path)


# --- errors a user sees ---------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: pe.sinusoidal(10, 7), "dim must be even"),
    (lambda: pe.sinusoidal(0, 8), "seq_len must be a positive whole number"),
    (lambda: pe.sinusoidal(10, -2), "dim must be a positive whole number"),
    (lambda: pe.sinusoidal(10, 8, base=1.0), "base must be a finite number greater than 1"),
    (lambda: pe.sinusoidal(1_000_000, 1024), "the limit is 134,217,728"),
    (lambda: pe.apply_rope(torch.zeros(4, 5)), "must be even"),
    (lambda: pe.apply_rope(torch.zeros(4, 6), positions=[0, 1]), "positions has 2 entries but x has 4"),
    (lambda: pe.apply_rope(torch.zeros(6)), "shape \\(..., seq, dim\\)"),
    (lambda: pe.alibi_slopes(0), "n_heads must be a positive whole number"),
    (lambda: pe.alibi_bias(100_000, 8), "the limit is 134,217,728"),
    (lambda: pe.t5_relative_bucket(torch.tensor([1.5])), "whole numbers"),
    (lambda: pe.t5_relative_bucket(torch.tensor([1]), num_buckets=2), "num_buckets must be at least 4"),
    (lambda: pe.t5_relative_bucket(torch.tensor([1]), max_distance=8), "max_distance must exceed"),
    (lambda: pe.EncodingSpec(kind="bogus"), "unknown positional encoding .bogus.; known positional encodings:"),
    (lambda: pe.EncodingSpec(seq_len=20_000), "seq_len must be at most 16,384"),
    (lambda: pe.EncodingSpec(dim=9), "dim must be even"),
])
def test_bad_arguments_raise_clear_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
