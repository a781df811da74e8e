"""Core's messages a user sees are translated on a Chinese page (issue 25: "请检查输入：Type a sentence first ...")."""
from __future__ import annotations

import io
import re

import pytest

from core.errors import UserError

ASCII_SENTENCE = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]+){2,}")  # three English words in a row


def _raised(call) -> UserError:
    with pytest.raises(ValueError) as info:
        call()
    assert isinstance(info.value, UserError), f"core raised an untranslatable {type(info.value).__name__}: {info.value}"
    return info.value


def _cases(tmp_path):
    from core.finetune import data
    from core.input_layer.tokens import tokenize
    from core.jobs.uploads import save_upload
    from core.models import load_tokenizer

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    (tmp_path / "few.csv").write_text("text,label\na b,x\nc d,y\n")
    few = data.load(str(tmp_path / "few.csv"), "classification")[0]
    return {
        "empty sentence": lambda: tokenize(load_tokenizer(), "   "),
        "empty upload": lambda: save_upload(io.BytesIO(b""), "notes.txt"),
        "empty file": lambda: data.load(str(empty), "classification"),
        "too few to split": lambda: data.split(few, 0.15, 0.15, 0),
        "unseen labels": lambda: data.check_labels(["pos", "neg"], {"meh"}, "validation"),
    }


def test_each_user_facing_core_message_has_a_chinese_translation(runs_root, tmp_path, monkeypatch):
    import ui.errors as errors
    import ui.i18n as i18n

    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    for name, call in _cases(tmp_path).items():
        err = _raised(call)
        text = errors.message(err)
        assert text != str(err) and not ASCII_SENTENCE.search(text), (name, text)
        monkeypatch.setattr(i18n, "lang", lambda: "en")
        assert errors.message(err) == str(err) or "…" in errors.message(err), name  # English: core's own words
        monkeypatch.setattr(i18n, "lang", lambda: "zh")
