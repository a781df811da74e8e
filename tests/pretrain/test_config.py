"""PretrainConfig: validation messages a user can act on, help text for every field, presets."""
from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from core.pretrain.config import POSITIONS, PRESETS, PretrainConfig, field_help


@pytest.mark.parametrize("values, message", [
    ({"preset": "huge"}, "preset must be one of tiny, mini, small"),
    ({"position_encoding": "t5"}, "position_encoding must be one of learned, sinusoidal, rope, alibi, none"),
    ({"seq_len": 4}, "seq_len must be between 8 and 2048"),
    ({"steps": 0}, "steps must be between 1 and 10000000"),
    ({"learning_rate": 3.0}, "learning_rate must be between 1e-06 and 1"),
    ({"mask_prob": 0.0}, "mask_prob must be between 0.01 and 0.9"),
    ({"init_vectors": "glove"}, "init_vectors must be one of random, word2vec"),
    ({"corpus": " "}, "choose a corpus"),
])
def test_bad_settings_say_what_to_change(values, message):
    with pytest.raises(ValueError, match=message):
        PretrainConfig.from_dict(values)


def test_unknown_settings_are_refused_not_dropped():
    with pytest.raises(ValueError, match="unknown pretraining settings: hiden_size"):
        PretrainConfig.from_dict({"hiden_size": 64})


def test_every_field_has_help_text_and_the_dict_round_trips():
    helps = field_help()
    assert set(helps) == {f.name for f in dataclasses.fields(PretrainConfig)}
    assert all(helps.values()) and all(field_help("zh").values())  # en and zh, from locales/pretrain.json
    config = PretrainConfig(position_encoding="alibi", steps=7)
    assert PretrainConfig.from_dict(config.to_dict()) == config


def test_presets_grow_from_tiny_2x128_to_small_6x512():
    assert PRESETS["tiny"][:2] == (2, 128) and PRESETS["small"][:2] == (6, 512)
    from core.pretrain.trainer import count_parameters

    sizes = [count_parameters(PretrainConfig(preset=p)) for p in ("tiny", "mini", "small")]
    assert sizes == sorted(sizes) and sizes[0] < 2_000_000 < 20_000_000 < sizes[2]


def test_budget_is_steps_times_batch_times_length():
    config = PretrainConfig(steps=100, batch_size=4, seq_len=64)
    assert config.token_budget == 100 * 4 * 64


def test_importing_core_imports_neither_torch_nor_transformers():
    code = ("import sys, core, core.pretrain, core.models, core.cli.pretrain, core.cli.models; "
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_positions_are_the_five_encodings():
    assert POSITIONS == ("learned", "sinusoidal", "rope", "alibi", "none")
