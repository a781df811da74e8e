"""The shipped MiniLM checkpoint is found offline and user paths are checked."""
import pytest

from core import models
from core.offline import HubDisabledError


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


def _info(name, language, source="shipped"):
    return models.ModelInfo(name=name, path=f"/m/{name}", language=language, mlm_head=True,
                            position_encoding="learned", parameters=1, source=source)


def test_chinese_text_gets_the_shipped_chinese_model_and_english_gets_minilm():
    listed = [_info("all-MiniLM-L6-v2", "en"), _info("pretrain-20261201-000000-abcdef", "zh", "run"),
              _info(models.ZH_MODEL_NAME, "zh")]
    assert models.model_for_language("zh", listed).name == models.ZH_MODEL_NAME
    assert models.model_for_language("en", listed).name == "all-MiniLM-L6-v2"
    assert models.model_for_language("", listed).name == "all-MiniLM-L6-v2"
    # without the shipped one, a Chinese run is next best; with no Chinese model at all, MiniLM
    assert models.model_for_language("zh", listed[:2]).name == "pretrain-20261201-000000-abcdef"
    assert models.model_for_language("zh", listed[:1]).name == "all-MiniLM-L6-v2"


def test_a_model_is_found_by_its_name_under_models_or_by_its_run_id(tmp_path, monkeypatch):
    shipped = tmp_path / "models" / "my-model"
    shipped.mkdir(parents=True)
    (shipped / "config.json").write_text("{}")
    monkeypatch.setattr(models, "SHIPPED_MODELS_DIR", tmp_path / "models")
    assert models.resolve_model("my-model") == str(shipped.resolve())
    runs = tmp_path / "runs"
    run_model = runs / "pretrain-20261201-000000-abcdef" / "model"
    run_model.mkdir(parents=True)
    (run_model / "config.json").write_text("{}")
    monkeypatch.setenv("EMBEDLAB_RUNS", str(runs))
    assert models.resolve_model("pretrain-20261201-000000-abcdef") == str(run_model.resolve())
    with pytest.raises(HubDisabledError, match="EMBEDLAB_ALLOW_HUB"):  # offline: never a hub request
        models.resolve_model("no-such-model")
    monkeypatch.setenv("EMBEDLAB_ALLOW_HUB", "1")
    assert models.resolve_model("no-such-model") == "no-such-model"  # allowed: left to from_pretrained (a hub id)


def test_a_runs_title_names_its_preset_and_encoding_once(runs_root):
    """QA: the picker said "clm · learned · tiny · zh · tiny · learned": the page's run name already holds them."""
    import json

    from core.models import list_models
    from tests.input_layer.tiny_models import save_tiny_embedlab

    folder = runs_root / "pretrain-test-title"
    save_tiny_embedlab(folder / "model", "learned")
    (folder / "config.json").write_text(json.dumps({"kind": "pretrain", "name": "zh · clm · learned · tiny", "config": {}}))
    (folder / "status.json").write_text(json.dumps({"state": "done"}))
    (folder / "summary.json").write_text(json.dumps({"language": "zh", "preset": "tiny", "position_encoding": "learned"}))
    (run,) = [m for m in list_models(runs_root=runs_root) if m.name == "pretrain-test-title"]
    assert run.title == "zh · clm · learned · tiny"
