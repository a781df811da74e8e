"""Every pretraining objective: it learns, saves and loads through its Auto class, and fine-tunes.

Parametrised over ``core.pretrain.objectives.names()``, so a new objective is tested by being registered.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.pretrain import objectives
from core.pretrain.config import POSITIONS, PretrainConfig
from tests.pretrain.helpers import tiny

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory):
    """``run(objective) -> (run folder, records)``: 24 steps of each objective on the shipped Chinese sample."""
    from core.pretrain.trainer import train

    done = {}

    def run(name: str):
        if name not in done:
            folder = tmp_path_factory.mktemp(f"run-{name}")
            records = []
            train(PretrainConfig.from_dict(tiny(objective=name, steps=24, eval_every=12)), folder, log=records.append)
            done[name] = folder, records
        return done[name]

    return run


@pytest.mark.parametrize("name", objectives.names())
def test_each_objective_trains_and_its_loss_falls(tiny_runs, name):
    folder, records = tiny_runs(name)
    steps = [r for r in records if r["type"] == "step"]
    assert [r["step"] for r in steps] == list(range(2, 25, 2))
    last = sum(r["loss"] for r in steps[-3:]) / 3
    assert last < 0.95 * steps[0]["loss"], [r["loss"] for r in steps]  # calibrated, seeds 0 and 1: 0.81-0.93
    valid = [r for r in records if r["type"] == "eval" and r["split"] == "valid"]
    assert [r["step"] for r in valid] == [12, 24]
    assert valid[1]["loss"] < valid[0]["loss"]  # held-out text too
    assert set(objectives.get(name).scores) <= set(valid[-1])
    assert 0.0 <= valid[-1]["accuracy"] <= valid[-1]["top5"] <= 1.0
    summary = json.loads((folder / "train_summary.json").read_text())
    assert summary["objective"] == name
    saved = json.loads((folder / "model" / "config.json").read_text())
    assert saved["objective"] == name and saved["causal"] == objectives.get(name).causal


@pytest.mark.parametrize("name", objectives.names())
def test_save_load_gives_the_same_predictions(tiny_runs, name):
    from core.models import load_model, load_tokenizer

    folder, _ = tiny_runs(name)
    kind = objectives.get(name)
    model = load_model(str(folder / "model"), kind.head).eval()
    assert type(model).__name__ == kind.model_class
    tokenizer = load_tokenizer(str(folder / "model"))
    ids = torch.tensor([tokenizer("今天天气很好。我们去公园。")["input_ids"]])
    torch.manual_seed(0)
    again = kind.build(PretrainConfig.from_dict(tiny(objective=name)), tokenizer)  # a fresh model differs...
    from safetensors.torch import load_file

    again.load_state_dict(load_file(str(folder / "model" / "model.safetensors")), strict=False)
    again.eval()  # ...until it gets the saved weights
    with torch.no_grad():
        a, b = model(input_ids=ids).logits, again(input_ids=ids).logits
    assert torch.allclose(a, b, atol=1e-6)
    with torch.no_grad():  # and a second load through the Auto class is the same model again
        c = load_model(str(folder / "model"), kind.head).eval()(input_ids=ids).logits
    assert torch.equal(a, c)


@pytest.mark.parametrize("name", objectives.names())
def test_the_fine_tune_runner_accepts_each_objectives_model(tiny_runs, name, tmp_path):
    from core.finetune.config import FinetuneConfig
    from core.finetune.trainer import train

    folder, _ = tiny_runs(name)
    rows = [("今天天气很好，我很开心。", "pos"), ("公园里的花很美，大家都很高兴。", "pos"),
            ("下雨了，天气很冷，我很难过。", "neg"), ("作业太多了，他很累也很生气。", "neg")] * 4
    data = tmp_path / "zh.csv"
    data.write_text("text,label\n" + "\n".join(f"{a},{b}" for a, b in rows) + "\n", encoding="utf-8")
    config = FinetuneConfig(train_file=str(data), model=str(folder / "model"), epochs=1, batch_size=8, max_length=32,
                            device="cpu", valid_fraction=0.25, test_fraction=0.0)
    summary = train(config, tmp_path / "ft")
    assert summary["steps"] >= 1 and summary["labels"] == ["neg", "pos"]
    saved = json.loads((tmp_path / "ft" / "model" / "config.json").read_text())
    family = "GPT" if objectives.get(name).causal else "Bert"
    assert saved["architectures"] == [f"EmbedLab{family}ForSequenceClassification"]
    assert saved["causal"] == objectives.get(name).causal  # a GPT stays causal when it becomes a classifier


def test_an_unknown_objective_names_the_known_ones():
    with pytest.raises(ValueError, match="objective must be one of mlm, mlm_nsp, clm, not 'span'"):
        PretrainConfig.from_dict(tiny(objective="span"))
    with pytest.raises(ValueError, match="unknown pretraining objective 'span'; known pretraining objectives: mlm, "
                                         "mlm_nsp, clm"):
        objectives.get("span")


def test_of_model_reads_the_objective_from_a_config():
    assert objectives.of_model({"objective": "clm"}).name == "clm"
    assert objectives.of_model({"architectures": ["BertForMaskedLM"]}).name == "mlm"
    assert objectives.of_model({"architectures": ["BertForPreTraining"]}).name == "mlm_nsp"
    assert objectives.of_model({"architectures": ["GPT2LMHeadModel"]}).name == "clm"
    assert objectives.of_model({"architectures": ["BertModel"]}) is None


# ----------------------------------------------------------------------------- the causal mask

def tiny_model(name: str, position: str, causal: bool | None = None):
    from core.pretrain import model as m

    kind = objectives.get(name)
    config = getattr(m, kind.config_class)(
        vocab_size=60, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=64, position_encoding=position, hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0, causal=kind.causal if causal is None else causal)
    torch.manual_seed(0)
    return getattr(m, kind.model_class)(config).eval()


@pytest.mark.parametrize("position", POSITIONS)
def test_the_causal_mask_lets_no_position_see_a_later_one(position):
    """Change the token at position 6: the causal LM's outputs at 0..5 stay, a bidirectional one's move."""
    ids = torch.tensor([[7, 11, 12, 13, 14, 15, 16, 17, 18]])
    changed = ids.clone()
    changed[0, 6] = 40
    for causal in (True, False):
        model = tiny_model("clm", position, causal=causal)
        with torch.no_grad():
            a, b = model(input_ids=ids).logits[0], model(input_ids=changed).logits[0]
        same_before = torch.allclose(a[:6], b[:6], atol=1e-6)
        assert same_before == causal, (position, causal)
        assert not torch.allclose(a[6:], b[6:], atol=1e-6)  # the changed token and what follows see the change
    with torch.no_grad():  # and the probabilities above the diagonal are 0 in every layer and head
        probs = tiny_model("clm", position)(input_ids=ids, output_attentions=True).attentions
    for layer in probs:
        assert layer[0].triu(1).abs().max() == 0


def test_padding_on_the_right_changes_no_real_position_of_a_causal_model():
    model = tiny_model("clm", "rope")
    ids = torch.tensor([[7, 11, 12, 13, 0, 0]])
    with torch.no_grad():
        short = model(input_ids=ids[:, :4]).logits
        padded = model(input_ids=ids, attention_mask=torch.tensor([[1, 1, 1, 1, 0, 0]])).logits
    assert torch.allclose(short, padded[:, :4], atol=1e-5)


# ----------------------------------------------------------------------------- next-sentence pairs

def numbered_corpus(path, n_lines=60):
    """Lines ``l<k> <k> ... 。 <k> ... 。``: two sentences, each token naming its line, so a pair says where it came from."""
    lines = [f"l{k} a{k} b{k} 。 c{k} d{k} e{k} 。" for k in range(n_lines)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def nsp_setup(tmp_path, **overrides):
    from core.pretrain.data import corpus_lines, train_tokenizer
    from core.pretrain.objectives import PretrainText

    config = PretrainConfig.from_dict(tiny(objective="mlm_nsp", corpus=str(numbered_corpus(tmp_path / "c.txt")),
                                           vocab_size=400, min_frequency=1, seq_len=16, batch_size=8, **overrides))
    train_lines, valid_lines, info = corpus_lines(config.corpus, language="en", valid_fraction=config.valid_fraction)
    tokenizer = train_tokenizer(train_lines + valid_lines, 400, min_frequency=1)
    text = PretrainText(train_lines, valid_lines, info, tokenizer)
    return config, text, objectives.get("mlm_nsp").prepare(text, config)


def line_number(tokens: list[str]) -> set[int]:
    return {int(t[1:]) for t in tokens if t[:1] in "labcde" and t[1:].isdigit()}


def test_nsp_labels_are_half_and_half_and_pairs_stay_in_the_training_split(tmp_path):
    from core.pretrain.objectives.mlm_nsp import IS_NEXT, draw_pair

    config, text, data = nsp_setup(tmp_path)
    every = round(1 / config.valid_fraction)
    held_out = {k for k in range(60) if k % every == every - 1}
    assert {int(line.split()[0][1:]) for line in text.valid_lines} == held_out
    kind = objectives.get("mlm_nsp")
    labels = [kind.batch(data, step, 0, config)["next_sentence_label"] for step in range(50)]
    assert all(int((y == IS_NEXT).sum()) == 4 for y in labels)  # exactly 4 of 8 in every batch
    segments = data["train"]
    rng = np.random.default_rng(0)
    tokens = lambda ks: text.tokenizer.convert_ids_to_tokens(np.concatenate([segments.ids[k] for k in ks]).tolist())  # noqa: E731
    for i in range(400):
        a, b = draw_pair(segments, rng, config.seq_len - 3, is_next=i % 2 == 0)
        lines_a, lines_b = line_number(tokens(a)), line_number(tokens(b))
        assert not (lines_a | lines_b) & held_out  # nothing of a training pair is held-out text
        if i % 2 == 0:  # IsNext: B starts right where A ends, in the same run of lines
            assert b[0] == a[-1] + 1 and segments.doc[a[-1]] == segments.doc[b[0]]
            assert min(lines_b) - max(lines_a) in (0, 1)
        else:  # NotNext: B comes from another document
            assert segments.doc[b[0]] != segments.doc[a[0]]
    pairs = data["valid_pairs"]
    valid_lines = set()
    for row in pairs["input_ids"]:
        valid_lines |= line_number(text.tokenizer.convert_ids_to_tokens(row.tolist()))
    assert valid_lines and valid_lines <= held_out  # held-out pairs are made of held-out lines only
    assert int((pairs["next_sentence_label"] == IS_NEXT).sum()) * 2 == len(pairs["next_sentence_label"])


def test_nsp_pairs_are_bert_inputs(tmp_path):
    config, text, data = nsp_setup(tmp_path)
    batch = objectives.get("mlm_nsp").batch(data, 3, 0, config)
    vocab = text.vocab
    for ids, types, attention in zip(batch["input_ids"], batch["token_type_ids"], batch["attention_mask"]):
        n = int(attention.sum())
        assert ids[0] == vocab.cls_id and ids[n - 1] == vocab.sep_id and (ids[n:] == vocab.pad_id).all()
        first_sep = int((ids == vocab.sep_id).nonzero()[0])
        assert (types[:first_sep + 1] == 0).all() and (types[first_sep + 1:n] == 1).all()
    masked = batch["labels"] != -100
    assert masked.any() and (batch["attention_mask"][masked] == 1).all()  # padding is never a target


def test_a_corpus_of_lone_sentences_without_documents_is_refused_for_nsp(tmp_path):
    from core.pretrain.trainer import train

    lone = tmp_path / "lone.txt"
    lone.write_text("\n\n".join(["猫"] * 200) + "\n", encoding="utf-8")  # one-word documents: nothing follows
    with pytest.raises(ValueError, match="needs documents of at least two sentences"):
        train(PretrainConfig.from_dict(tiny(objective="mlm_nsp", corpus=str(lone), seq_len=8, vocab_size=100,
                                            min_frequency=1)), tmp_path / "run")


# ----------------------------------------------------------------------------- what the page shows

def test_generation_is_greedy_or_seeded_sampling(tiny_runs):
    from core.models import load_model, load_tokenizer
    from core.pretrain.objectives.clm import continue_text, next_tokens

    folder, _ = tiny_runs("clm")
    model = load_model(str(folder / "model"), "AutoModelForCausalLM").eval()
    tokenizer = load_tokenizer(str(folder / "model"))
    top = next_tokens(model, tokenizer, "今天天气", top_k=5)
    assert len(top) == 5 and all(p1 >= p2 for (_, p1), (_, p2) in zip(top, top[1:]))
    greedy = continue_text(model, tokenizer, "今天天气", max_new_tokens=8)
    assert greedy == continue_text(model, tokenizer, "今天天气", max_new_tokens=8)
    first = top[0][0]  # greedy takes the most probable token first ([SEP] ends the line at once)
    assert greedy == "" if first == tokenizer.sep_token else greedy.startswith(first.replace("##", ""))
    sampled = [continue_text(model, tokenizer, "今天", max_new_tokens=8, sample=True, top_k=20, seed=s)
               for s in (1, 1, 2)]
    assert sampled[0] == sampled[1]
    torch.manual_seed(5)
    before = torch.rand(1)
    torch.manual_seed(5)
    continue_text(model, tokenizer, "今天", sample=True, seed=3)
    assert torch.rand(1) == before  # sampling leaves the caller's random state alone
    with pytest.raises(ValueError, match="write a few words"):
        continue_text(model, tokenizer, "   ")


def test_next_sentence_probability_is_a_probability(tiny_runs):
    from core.models import load_model, load_tokenizer
    from core.pretrain.objectives.mlm_nsp import next_sentence

    folder, _ = tiny_runs("mlm_nsp")
    model = load_model(str(folder / "model"), "AutoModelForPreTraining").eval()
    tokenizer = load_tokenizer(str(folder / "model"))
    p = next_sentence(model, tokenizer, "今天天气很好。", "我们去公园。")
    assert 0.0 < p < 1.0
    with pytest.raises(ValueError, match="write two sentences"):
        next_sentence(model, tokenizer, "今天天气很好。", " ")


def test_a_continuation_reads_as_chinese_text():
    """QA: "时候, 也有" — the decoder's spaces between Chinese characters and punctuation are taken out; English
    keeps its own spaces."""
    from core.pretrain.objectives.clm import readable

    assert readable("时 候 , 也 有 很 多 。") == "时候,也有很多。"
    assert readable("我 们 去 北 京 !") == "我们去北京!"
    assert readable("the cat sat , on the mat") == "the cat sat , on the mat"
    assert readable("GDP 增 长") == "GDP 增长"
