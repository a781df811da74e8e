"""The shipped MiniLM checkpoint is found offline and user paths are checked."""
import pytest

from core import models


def test_default_model_dir_holds_a_safetensors_bert():
    path = models.default_model_dir()
    assert (path / "config.json").is_file()
    assert (path / "model.safetensors").is_file()
    assert models.resolve_model(None) == str(path)
    assert models.resolve_model("all-MiniLM-L6-v2") == str(path)


def test_directory_without_config_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="no config.json"):
        models.resolve_model(tmp_path)


def test_default_tokenizer_is_the_uncased_wordpiece():
    tokenizer = models.load_tokenizer()
    assert tokenizer.vocab_size == 30522
    assert tokenizer.tokenize("Hello World") == ["hello", "world"]
