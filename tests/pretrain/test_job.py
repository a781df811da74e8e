"""The pretraining job end to end on a tiny corpus: run folder, curves, extrapolation, resume, model listing."""
from __future__ import annotations

import json

import pytest
import torch

from core.jobs import JobContext
from tests.pretrain.helpers import tiny

STEP_KEYS = {"step", "tokens", "loss", "accuracy", "perplexity", "tokens_per_s", "lr"}


class StopAfter(JobContext):
    """A job context whose cancel arrives after ``n`` optimizer steps (should_stop is asked once a step)."""

    def __init__(self, run_dir, n):
        super().__init__(run_dir)
        self.asked, self.n, self.records = 0, n, []

    def should_stop(self):
        self.asked += 1
        return self.asked >= self.n

    def log(self, record):
        self.records.append(record)
        super().log(record)


def weights(folder):
    from safetensors.torch import load_file

    return load_file(str(folder / "model" / "model.safetensors"))


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """One run of the job through core.jobs.run_foreground, as the CLI does (shared by the tests below)."""
    import os

    from core import jobs
    from core.pretrain.job import build_job_config

    root = tmp_path_factory.mktemp("runs")
    old = os.environ.get("EMBEDLAB_RUNS")
    os.environ["EMBEDLAB_RUNS"] = str(root)
    try:
        run_id = jobs.run_foreground("pretrain", build_job_config(tiny(position_encoding="alibi")), name="tiny alibi",
                                     runs_root=root, show_progress=False)
    finally:
        if old is None:
            os.environ.pop("EMBEDLAB_RUNS", None)
        else:
            os.environ["EMBEDLAB_RUNS"] = old
    return root, run_id


def test_the_job_writes_the_run_folder_the_app_reads(finished_run):
    from core import jobs

    root, run_id = finished_run
    folder = jobs.run_dir(run_id, root)
    assert jobs.get_status(run_id, root)["state"] == "done"
    assert jobs.read_config(run_id, root)["kind"] == "pretrain"
    for name in ("config.json", "status.json", "metrics.jsonl", "summary.json", "extrapolation.json",
                 "model/config.json", "model/model.safetensors", "model/tokenizer.json", "tokenizer/tokenizer.json",
                 "checkpoint/trainer_state.json"):
        assert (folder / name).is_file(), name
    records, _ = jobs.read_metrics(run_id, 0, root)
    steps = [r for r in records if r["type"] == "step"]
    assert [r["step"] for r in steps] == [2, 4, 6, 8, 10, 12]
    assert all(STEP_KEYS <= set(r) for r in steps)
    assert steps[-1]["loss"] < steps[0]["loss"]  # it learns something in 12 steps
    assert abs(steps[0]["perplexity"] - torch.tensor(steps[0]["loss"]).exp().item()) < 1e-3 * steps[0]["perplexity"]
    valid = [r for r in records if r["type"] == "eval" and r["split"] == "valid"]
    assert [r["step"] for r in valid] == [6, 12]
    extra = [r for r in records if r["type"] == "eval" and r["split"] == "extrapolation"]
    assert [(r["factor"], r["seq_len"]) for r in extra] == [(1, 32), (2, 64), (4, 128)]
    assert all(0.0 <= r["accuracy"] <= r["top5"] <= 1.0 for r in extra)
    summary = jobs.read_summary(run_id, root)
    assert summary["position_encoding"] == "alibi" and summary["steps"] == 12 and summary["language"] == "zh"
    assert summary["valid_accuracy"] == extra[0]["accuracy"]


def test_the_run_is_listed_as_a_model_and_predicts_masks(finished_run):
    from transformers import pipeline

    from core.models import list_models, load_model, load_tokenizer

    root, run_id = finished_run
    found = {m.name: m for m in list_models(root)}
    assert found["all-MiniLM-L6-v2"].mlm_head is False
    mine = found[run_id]
    assert (mine.language, mine.mlm_head, mine.position_encoding, mine.source) == ("zh", True, "alibi", "run")
    model = load_model(mine.path, "AutoModelForMaskedLM").eval()
    assert mine.parameters == sum(p.numel() for p in model.parameters())
    tokenizer = load_tokenizer(mine.path)
    assert tokenizer.tokenize("今天天气很好") == list("今天天气很好")  # Chinese is read character by character
    fill = pipeline("fill-mask", model=model, tokenizer=tokenizer, top_k=5)
    guesses = fill("今天是晴[MASK]。")
    assert len(guesses) == 5 and abs(sum(g["score"] for g in guesses)) <= 1.0


def test_resume_equals_an_uninterrupted_run(tmp_path):
    from core.pretrain.job import build_job_config, run

    config = build_job_config(tiny(steps=8, log_every=1, eval_every=0, position_encoding="rope"))
    whole, part, rest = (tmp_path / n for n in ("whole", "part", "rest"))
    for folder in (whole, part, rest):
        folder.mkdir()
    run(config, StopAfter(whole, n=10**9))
    stopped = StopAfter(part, n=3)
    run(config, stopped)
    assert json.loads((part / "checkpoint" / "trainer_state.json").read_text())["step"] == 3
    assert json.loads((part / "summary.json").read_text())["cancelled"] is True
    resumed = StopAfter(rest, n=10**9)
    run({**config, "resume_from": str(part)}, resumed)
    a, b = weights(whole), weights(rest)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-5), key
    whole_losses = [r["loss"] for r in map(json.loads, (whole / "metrics.jsonl").read_text().splitlines())
                    if r["type"] == "step"]
    resumed_losses = [r["loss"] for r in resumed.records if r["type"] == "step"]
    assert resumed_losses == pytest.approx(whole_losses[3:], rel=1e-4)


def test_resume_from_a_run_without_checkpoint_is_a_clear_error(tmp_path):
    from core.pretrain.job import build_job_config, run

    config = build_job_config(tiny(resume_from=str(tmp_path)))
    with pytest.raises(ValueError, match="has no checkpoint to resume from"):
        run(config, JobContext(tmp_path))


def test_word2vec_start_copies_vectors_into_the_token_table(tmp_path):
    from core.pretrain.config import PretrainConfig
    from core.pretrain.data import corpus_lines, train_tokenizer
    from core.pretrain.trainer import build_model, word2vec_init

    config = PretrainConfig.from_dict(tiny())
    lines, _, _ = corpus_lines("zh", valid_fraction=0.1)
    tokenizer = train_tokenizer(lines, 300)
    model = build_model(config, tokenizer)
    before = model.get_input_embeddings().weight.detach().clone()
    info = word2vec_init(model, tokenizer, lines, seed=0)
    after = model.get_input_embeddings().weight.detach()
    assert info["covered"] > 0.5 * info["vocab"]
    changed = (before != after).any(dim=1)
    assert int(changed.sum()) == info["covered"]
    assert after[changed].std().item() == pytest.approx(model.config.initializer_range, rel=0.05)


def test_a_corpus_shorter_than_one_sequence_is_refused(tmp_path):
    from core.pretrain.config import PretrainConfig
    from core.pretrain.trainer import train

    short = tmp_path / "short.txt"
    short.write_text("今天天气很好。\n我们去公园。\n" * 3, encoding="utf-8")
    with pytest.raises(ValueError, match="fewer than one training sequence"):
        train(PretrainConfig.from_dict(tiny(corpus=str(short), seq_len=512, vocab_size=100, min_frequency=1)),
              tmp_path / "run")


def test_a_missing_corpus_is_refused_before_anything_runs():
    from core.pretrain.job import build_job_config

    with pytest.raises(ValueError, match="neither a sample"):
        build_job_config(tiny(corpus="/no/such/file.txt"))


def test_the_fine_tune_runner_takes_a_pretrained_run_as_its_base_model(finished_run, tmp_path):
    from core import jobs
    from core.finetune.config import FinetuneConfig
    from core.finetune.trainer import train

    root, run_id = finished_run
    rows = [("今天天气很好，我很开心。", "pos"), ("公园里的花很美，大家都很高兴。", "pos"),
            ("下雨了，天气很冷，我很难过。", "neg"), ("作业太多了，他很累也很生气。", "neg")] * 4
    data = tmp_path / "zh.csv"
    data.write_text("text,label\n" + "\n".join(f"{a},{b}" for a, b in rows) + "\n", encoding="utf-8")
    config = FinetuneConfig(train_file=str(data), model=str(jobs.run_dir(run_id, root) / "model"), epochs=1,
                            batch_size=8, max_length=32, device="cpu", valid_fraction=0.25, test_fraction=0.0)
    summary = train(config, tmp_path / "ft")
    assert summary["steps"] >= 1 and summary["labels"] == ["neg", "pos"]
    saved = json.loads((tmp_path / "ft" / "model" / "config.json").read_text())
    assert saved["model_type"] == "embedlab-bert" and saved["architectures"] == ["EmbedLabBertForSequenceClassification"]


@pytest.mark.gpu
def test_bf16_training_on_a_gpu_learns_and_saves(tmp_path):
    """On a CUDA GPU the loop runs under bf16 autocast (Accelerate) and the saved model loads back."""
    from core.pretrain.config import PretrainConfig
    from core.pretrain.trainer import train

    records = []
    summary = train(PretrainConfig.from_dict(tiny(device="cuda", steps=20, eval_every=0)), tmp_path, log=records.append)
    assert summary["mixed_precision"] in ("bf16", "no") and summary["device"].startswith("cuda")
    steps = [r for r in records if r["type"] == "step"]
    assert steps[-1]["loss"] < steps[0]["loss"]
    from core.models import load_model

    model = load_model(str(tmp_path / "model"), "AutoModelForMaskedLM")
    assert model.config.position_encoding == "learned"


def test_a_saved_tokenizer_reads_full_width_punctuation_as_in_training(tmp_path):
    """QA: a pretraining run's prompt box read a typed "，" as [UNK] (transformers rebuilt the saved
    BertTokenizer's normaliser without NFKC); loaded through core.models, and on resume, it reads ","."""
    import transformers

    from core.models import keep_saved_normalizer, load_tokenizer
    from core.pretrain.data import train_tokenizer

    trained = train_tokenizer(["今天是晴天，我们去公园！", "ＧＤＰ２０２３年增长。"] * 20, 100, min_frequency=1)
    folder = tmp_path / "model"
    trained.save_pretrained(folder)
    (folder / "config.json").write_text('{"model_type": "bert"}')
    text = "晴天，公园！ＧＤＰ"
    assert trained.tokenize(text)[:6] == ["晴", "天", ",", "公", "园", "!"] and "[UNK]" not in trained.tokenize(text)
    assert "[UNK]" in transformers.AutoTokenizer.from_pretrained(folder).tokenize(text)  # what transformers does
    assert load_tokenizer(folder).tokenize(text) == trained.tokenize(text)
    resumed = keep_saved_normalizer(transformers.AutoTokenizer.from_pretrained(folder), folder)
    assert resumed.tokenize(text) == trained.tokenize(text)
    minilm = load_tokenizer()  # a tokenizer without NFKC is loaded as transformers loads it
    assert "NFKC" not in str(minilm.backend_tokenizer.normalizer)
