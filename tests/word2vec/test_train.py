"""Every registered engine through the same tests (minbpe style): one parametrised test per behaviour.

The engine list comes from the registry, so a new engine file is tested by being registered.
"""
from __future__ import annotations

import random
import weakref

import numpy as np
import pytest

from core.word2vec import TrainConfig, engines, evaluate, train

ENGINES = list(engines.names())
CONTRACT_KEYS = {"epoch", "epochs", "words_done", "words_total", "progress", "words_per_s", "lr", "loss", "eta_s"}

TOPICS = {
    "animals": ["cat", "dog", "mouse", "horse"],
    "vehicles": ["car", "bus", "truck", "train"],
    "fruit": ["apple", "pear", "banana", "cherry"],
}
CONTEXT = {
    "animals": ["pet", "fur", "tail", "barks", "vet", "paws"],
    "vehicles": ["road", "wheel", "fuel", "driver", "engine", "garage"],
    "fruit": ["sweet", "juice", "tree", "ripe", "peel", "orchard"],
}


class TopicCorpus:
    """Re-iterable synthetic corpus: words of a topic share contexts. Counts passes and live sentences."""

    def __init__(self, n: int = 1500, seed: int = 0):
        self.n = n
        self.seed = seed
        self.passes = 0
        self.alive = 0
        self.max_alive = 0

    def __iter__(self):
        self.passes += 1
        rng = random.Random(self.seed)
        for _ in range(self.n):
            topic = rng.choice(list(TOPICS))
            words = [rng.choice(TOPICS[topic]) for _ in range(2)] + rng.sample(CONTEXT[topic], 3)
            rng.shuffle(words)
            sentence = _Sentence(words)
            self.alive += 1
            weakref.finalize(sentence, self._gone)
            self.max_alive = max(self.max_alive, self.alive)
            yield sentence

    def _gone(self):
        self.alive -= 1


class _Sentence(list):
    """A list that can be weak-referenced, to see how many sentences a trainer keeps alive."""


def _config(**overrides) -> TrainConfig:
    base = dict(vector_size=24, window=3, negative=5, min_count=1, epochs=5, sample=0.0, batch_size=512, seed=3)
    base.update(overrides)
    return TrainConfig(**base)


def _cos(kv, a, b) -> float:
    return float(kv.similarity(a, b))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sg", [True, False], ids=["skipgram", "cbow"])
def test_related_words_end_up_closer(engine, sg):
    kv = train(TopicCorpus(), _config(sg=sg), engine=engine)
    within, across = [], []
    for topic, words in TOPICS.items():
        for other, other_words in TOPICS.items():
            for a in words:
                for b in other_words:
                    if a != b:
                        (within if topic == other else across).append(_cos(kv, a, b))
    assert np.mean(within) > np.mean(across) + 0.3
    # every word's nearest topic word is from its own topic
    topic_words = [w for ws in TOPICS.values() for w in ws]
    for topic, words in TOPICS.items():
        for word in words:
            best = max((w for w in topic_words if w != word), key=lambda w: _cos(kv, word, w))
            assert best in words, (word, best)


@pytest.mark.parametrize("engine", ENGINES)
def test_result_is_keyed_vectors_with_counts(engine):
    from gensim.models import KeyedVectors

    kv = train(TopicCorpus(300), _config(vector_size=16, epochs=1), engine=engine)
    assert isinstance(kv, KeyedVectors)
    vocab = {w for ws in list(TOPICS.values()) + list(CONTEXT.values()) for w in ws}
    assert set(kv.index_to_key) == vocab
    assert kv.vectors.shape == (len(vocab), 16) and kv.vectors.dtype == np.float32
    counts = [kv.get_vecattr(w, "count") for w in kv.index_to_key]
    assert counts == sorted(counts, reverse=True) and sum(counts) == 300 * 5


@pytest.mark.parametrize("engine", ENGINES)
def test_progress_records_have_contract_keys_and_interval_loss(engine):
    records = []
    epochs_seen = []
    train(
        TopicCorpus(800),
        _config(epochs=6),
        engine=engine,
        on_progress=records.append,
        on_epoch_end=lambda epoch, kv: epochs_seen.append((epoch, kv.vectors.shape)),
    )
    assert records and all(set(r) == CONTRACT_KEYS for r in records)
    assert [e for e, _ in epochs_seen] == [1, 2, 3, 4, 5, 6]
    last = records[-1]
    assert last["progress"] == pytest.approx(1.0, abs=0.02) and last["epochs"] == 6
    assert last["words_done"] == pytest.approx(last["words_total"], rel=0.02)
    assert [r["words_done"] for r in records] == sorted(r["words_done"] for r in records)
    assert records[0]["lr"] > records[-1]["lr"]
    losses = [r["loss"] for r in records if r["loss"] is not None]
    # Per-interval loss falls as the model learns; a cumulative total would rise instead.
    assert losses[-1] < losses[0]
    assert all(0 < loss < 50 for loss in losses)


@pytest.mark.parametrize("engine", ENGINES)
def test_corpus_is_streamed_once_per_epoch_and_never_materialised(engine):
    corpus = TopicCorpus(2000)
    train(corpus, _config(epochs=3), engine=engine)
    # one vocabulary pass + at most one pass per epoch (the torch engine replays cached ids)
    assert 2 <= corpus.passes <= 3 + 1


def test_torch_never_keeps_sentences_alive():
    corpus = TopicCorpus(2000)
    train(corpus, _config(epochs=3), engine="torch")
    assert corpus.max_alive <= 2  # each sentence is encoded and dropped as it is read


def test_one_shot_generators_are_refused_with_advice():
    with pytest.raises(ValueError, match="re-iterable"):
        train((s for s in [["a", "b"]]), _config(), engine="torch")


@pytest.mark.parametrize("engine", ENGINES)
def test_cancel_returns_the_vectors_trained_so_far(engine):
    snapshots = {}
    stop = {"now": False}

    def on_epoch_end(epoch, kv):
        snapshots[epoch] = kv.vectors.copy()
        stop["now"] = True

    records = []
    kv = train(
        TopicCorpus(600),
        _config(epochs=5),
        engine=engine,
        on_epoch_end=on_epoch_end,
        should_stop=lambda: stop["now"],
        on_progress=records.append,
    )
    assert list(snapshots) == [1]
    np.testing.assert_allclose(kv.vectors, snapshots[1])
    assert records[-1]["progress"] < 0.5


def test_torch_cancel_mid_training_returns_partly_trained_vectors():
    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] > 1  # the second check: mid-epoch 1 on a slow machine, start of epoch 2 at the latest

    records, epochs_done = [], []
    kv = train(TopicCorpus(3000), _config(epochs=3, batch_size=256), engine="torch", should_stop=should_stop,
               on_progress=records.append, on_epoch_end=lambda e, _: epochs_done.append(e))
    assert kv.vectors.shape[0] == 30 and np.isfinite(kv.vectors).all()
    assert epochs_done in ([], [1])
    assert 0 < records[-1]["progress"] <= 0.34


def test_torch_is_deterministic_on_cpu_for_a_seed():
    a = train(TopicCorpus(400), _config(epochs=2), engine="torch", device="cpu")
    b = train(TopicCorpus(400), _config(epochs=2), engine="torch", device="cpu")
    c = train(TopicCorpus(400), _config(epochs=2, seed=4), engine="torch", device="cpu")
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert not np.allclose(a.vectors, c.vectors)


class ZipfTopics:
    """20 topics x 50 words (Zipfian within a topic) plus frequent function words in every sentence.

    The function words occur hundreds of times in every 16k-pair batch: exactly the rows that a
    plain summed update (index_add_) blows up.
    """

    def __init__(self, n: int = 6000, seed: int = 0):
        self.n, self.seed = n, seed

    def __iter__(self):
        rng = random.Random(self.seed)
        weights = [1 / (rank + 1) for rank in range(50)]
        function = ["the", "of", "and", "a", "to", "in"]
        for _ in range(self.n):
            topic = rng.randrange(20)
            words = [f"t{topic}w{i}" for i in rng.choices(range(50), weights, k=7)] + rng.choices(function, k=4)
            rng.shuffle(words)
            yield words


def _topic_precision(kv, k: int = 10) -> float:
    """Share of a topic word's k nearest neighbours that are from its own topic."""
    hits = []
    for topic in range(20):
        for i in range(0, 50, 5):
            neighbours = [w for w, _ in kv.most_similar(f"t{topic}w{i}", topn=k)]
            hits.append(np.mean([w.startswith(f"t{topic}w") for w in neighbours]))
    return float(np.mean(hits))


@pytest.mark.parametrize("batch_size", [16384, 65536])
def test_large_batches_keep_quality(batch_size):
    """Calibrated on this corpus (seed 1): gensim 1.00; torch with row-wise Adagrad 1.00 at 16k and
    64k pairs; plain index_add_ 0.04 at 16k (1.00 at 1k); averaged (1/n) 0.05; capped 0.22."""
    config = TrainConfig(vector_size=32, window=4, min_count=1, epochs=3, batch_size=batch_size)
    kv = train(ZipfTopics(), config, engine="torch")
    assert _topic_precision(kv) >= 0.9
    assert np.isfinite(kv.vectors).all()


def test_unknown_engine_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown word2vec engine 'fast'; known engines: ") as err:
        train(TopicCorpus(10), _config(), engine="fast")
    assert all(name in str(err.value) for name in engines.names())


def test_gensim_on_a_gpu_is_refused():
    with pytest.raises(ValueError, match="CPU only"):
        train(TopicCorpus(10), _config(), engine="gensim", device="cuda")


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_describes_itself_and_its_devices(engine):
    spec = engines.get(engine)
    assert spec.name == engine and len(spec.description) > 20 and "\n" not in spec.description
    devices = spec.devices()
    assert devices
    for device in devices:
        assert spec.check_device(device)
        assert spec.resource(device) in ("cpu", "gpu")
    if "cpu" in devices:
        assert spec.resource("cpu") == "cpu"
    assert set(spec.extra_parameters) <= set(TrainConfig().to_dict())


def test_default_engine_follows_the_device(monkeypatch):
    """Issue #14: with default settings a CPU run uses gensim (6-20x faster there), a GPU run torch."""
    calls = []
    gensim = type(engines.get("gensim"))
    original = gensim.train

    def spy(self, *args, **kwargs):
        calls.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(gensim, "train", spy)
    monkeypatch.setattr(engines, "device_type", lambda device=None: "cpu")
    kv = train(TopicCorpus(200), _config(epochs=1))  # no engine given, as the page's and CLI's defaults
    assert calls == ["gensim"] and len(kv.index_to_key) == 30
    assert engines.default_engine() == engines.default_engine("cpu") == "gensim"
    monkeypatch.setattr(engines, "device_type", lambda device=None: "cuda")
    assert engines.default_engine() == "torch"


@pytest.mark.parametrize("engine", ENGINES)
def test_corpus_too_small_for_min_count_says_what_to_do(engine):
    with pytest.raises(ValueError, match="lower min_count"):
        train([["a", "b", "c"]] * 2, _config(min_count=5), engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_chinese_sample_learns_related_words(engine):
    from core.text import read_corpus

    kv = train(read_corpus("zh"), TrainConfig(vector_size=32, window=3, min_count=2, epochs=15, sample=0.0,
                                               batch_size=2048), engine=engine)
    animals, cities = ["猫", "狗", "兔子", "金鱼"], ["北京", "上海", "广州", "杭州"]
    within = np.mean([_cos(kv, a, b) for g in (animals, cities) for a in g for b in g if a != b])
    across = np.mean([_cos(kv, a, b) for a in animals for b in cities])
    assert within > across + 0.2


def test_evaluate_is_exported():
    from core.vectors.evaluate import evaluate as direct

    assert evaluate is direct


def test_torch_interval_loss_has_no_dip_at_the_partial_last_batch(monkeypatch):
    """The last batch of a block is partial: crediting it a full share of words made its
    per-word loss dip to a fraction of its neighbours' at every epoch end."""
    from core.word2vec import base

    monkeypatch.setattr(base.ProgressMeter, "due", lambda self: self.on_progress is not None)
    records = []
    train(TopicCorpus(3000), _config(epochs=2, batch_size=1000), engine="torch", on_progress=records.append)
    losses = [r["loss"] for r in records if r["loss"] is not None]
    assert len(losses) > 10
    for before, after in zip(losses, losses[1:]):
        assert after > 0.6 * before, losses
