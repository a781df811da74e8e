"""core.sources: one reading of "sample:x" / "dataset:x" / a bare sample name / a path."""
from __future__ import annotations

from core.sources import Source, dataset_source, parse_source, sample_source


def test_prefixes_and_bare_sample_names_and_paths():
    assert parse_source("dataset:msra_ner") == Source("dataset", "msra_ner", "dataset:msra_ner")
    assert parse_source("sample:ner") == Source("sample", "ner", "sample:ner")
    assert parse_source("zh", samples={"zh": "..."}).kind == "sample"
    assert parse_source("zh").kind == "file"  # without the caller's samples a bare name is a path
    path = parse_source("/data/reviews.csv")
    assert (path.kind, path.name, path.file_name) == ("file", "/data/reviews.csv", "reviews.csv")
    assert parse_source(None) == Source("file", "", "")
    assert parse_source(dataset_source("wnut16")).name == "wnut16" and sample_source("ner") == "sample:ner"
