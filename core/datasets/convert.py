"""Parsers and writers that turn the files packages ship into the formats our readers take.

Pure functions over paths and lists, so each is tested on a tiny fake file.

Read:
- :func:`read_pos_tagged`: ``word/POS  word/POS`` lines (the PKU People's
  Daily annotation) -> list of ``(word, pos)`` per line.
- :func:`read_token_tag`: one ``token TAG`` line per token (space or tab),
  sentences separated by blank lines or lines holding only whitespace (a lone
  tab in WNUT-16), CRLF or LF.
- :func:`bmes_to_bio`: BMES (``B- M- E- S-``) or IOBES tags -> BIO.
- :func:`pos_to_entities`: People's Daily ``nr``/``ns``/``nt`` -> character
  BIO PER/LOC/ORG, adjacent ``nr`` words (surname + given name) merged.

Write (UTF-8, ``\\n`` line ends):
- :func:`write_csv`: header ``text,label`` then one row per example.
- :func:`write_conll`: ``token TAG`` lines, one blank line after each sentence.
- :func:`write_corpus`: one sentence per line, words separated by one space.
"""
from __future__ import annotations

import csv
import random
import re
from pathlib import Path
from typing import Iterable, Iterator

# People's Daily part-of-speech tags that name entities, and the entity type each becomes.
ENTITY_POS = {"nr": "PER", "ns": "LOC", "nt": "ORG"}


def read_pos_tagged(path: Path) -> Iterator[list[tuple[str, str]]]:
    """Each non-empty line of ``word/POS`` tokens (whitespace separated) as ``[(word, pos), ...]``.

    The POS is what follows the *last* slash (words like ``１/２`` keep theirs).
    Raises ``ValueError`` naming the line of a token without a slash.
    """
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            tokens = line.split()
            if not tokens:
                continue
            out = []
            for token in tokens:
                word, slash, pos = token.rpartition("/")
                if not slash or not word:
                    raise ValueError(f"{Path(path).name} line {number}: {token!r} is not word/POS.")
                out.append((word, pos))
            yield out


def read_token_tag(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of ``(tokens, tags)`` from a file of ``token TAG`` lines.

    A line that is empty or holds only whitespace ends a sentence. Raises
    ``ValueError`` naming the line when a line has not exactly two fields.
    """
    sentences: list[tuple[list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for number, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                if tokens:
                    sentences.append((tokens, tags))
                    tokens, tags = [], []
                continue
            if len(parts) != 2:
                raise ValueError(f"{Path(path).name} line {number}: expected 'token TAG', got {line.strip()[:40]!r}.")
            tokens.append(parts[0])
            tags.append(parts[1])
    if tokens:
        sentences.append((tokens, tags))
    return sentences


def bmes_to_bio(tags: list[str]) -> list[str]:
    """BMES/IOBES tags to BIO: ``S-X``/``B-X`` -> ``B-X``; ``M-X``/``E-X``/``I-X`` -> ``I-X``.

    An inside tag that does not continue an entity of the same type (after
    ``O`` or another type, as a few MSRA lines have) starts one: ``B-X``.
    """
    out: list[str] = []
    previous = "O"
    for tag in tags:
        if tag == "O":
            out.append("O")
            previous = "O"
            continue
        prefix, _, kind = tag.partition("-")
        if prefix not in {"B", "M", "E", "S", "I"} or not kind:
            raise ValueError(f"{tag!r} is not a BMES/BIO tag.")
        if prefix in {"B", "S"} or previous[2:] != kind:
            out.append(f"B-{kind}")
        else:
            out.append(f"I-{kind}")
        previous = out[-1]
    return out


def pos_to_entities(words: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """One People's Daily sentence -> ``(characters, BIO tags)`` with PER/LOC/ORG entities.

    ``nr`` (person), ``ns`` (place) and ``nt`` (organisation) words become
    entities; a run of adjacent ``nr`` words (surname ``江/nr`` + given name
    ``泽民/nr``) is one PER entity. Tokens are characters, as in MSRA.
    """
    chars: list[str] = []
    tags: list[str] = []
    previous = None
    for word, pos in words:
        kind = ENTITY_POS.get(pos)
        continues = kind == "PER" and previous == "PER"
        for k, ch in enumerate(word):
            if ch.isspace():
                continue
            chars.append(ch)
            if kind is None:
                tags.append("O")
            elif k == 0 and not continues:
                tags.append(f"B-{kind}")
            else:
                tags.append(f"I-{kind}")
        previous = kind
    return chars, tags


def clean_text(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space, strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def dedupe(items: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict]:
    """Drop repeated texts; drop every copy of a text seen with two labels.

    Returns ``(kept, counts)`` with ``counts = {"duplicates": n, "conflicting_labels": m}``
    (``m`` texts). Keeps first-seen order, so the result is deterministic.
    """
    labels: dict[str, set[str]] = {}
    for text, label in items:
        labels.setdefault(text, set()).add(label)
    conflicting = {text for text, seen in labels.items() if len(seen) > 1}
    kept, seen = [], set()
    for text, label in items:
        if text in conflicting or text in seen:
            continue
        seen.add(text)
        kept.append((text, label))
    duplicates = len(items) - len(kept) - sum(1 for t, _ in items if t in conflicting)
    return kept, {"duplicates": duplicates, "conflicting_labels": len(conflicting)}


def split_indices(n: int, seed: int, valid: float = 0.1, test: float = 0.1) -> dict[str, list[int]]:
    """Seeded shuffle of ``range(n)`` cut into ``train``/``valid``/``test`` (disjoint, covering all).

    ``valid``/``test`` are fractions (each rounded down, at least 1 when
    ``n >= 3`` and the fraction is > 0). The same ``(n, seed)`` always gives
    the same split (Python's ``random.Random``).
    """
    order = list(range(n))
    random.Random(seed).shuffle(order)
    n_valid = max(int(n * valid), 1 if valid > 0 and n >= 3 else 0)
    n_test = max(int(n * test), 1 if test > 0 and n >= 3 else 0)
    return {
        "test": sorted(order[:n_test]),
        "valid": sorted(order[n_test : n_test + n_valid]),
        "train": sorted(order[n_test + n_valid :]),
    }


def write_csv(path: Path, rows: Iterable[tuple[str, str]]) -> int:
    """``text,label`` CSV (header first, minimal quoting); returns the number of rows."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["text", "label"])
        for text, label in rows:
            writer.writerow([text, label])
            count += 1
    return count


def write_conll(path: Path, sentences: Iterable[tuple[list[str], list[str]]]) -> int:
    """``token TAG`` lines, a blank line after each sentence; returns the number of sentences."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for tokens, tags in sentences:
            fh.writelines(f"{token} {tag}\n" for token, tag in zip(tokens, tags))
            fh.write("\n")
            count += 1
    return count


def write_corpus(path: Path, sentences: Iterable[list[str]]) -> tuple[int, int]:
    """One sentence per line, words joined by one space; returns ``(sentences, words)``."""
    n_sentences = n_words = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for words in sentences:
            if not words:
                continue
            fh.write(" ".join(words) + "\n")
            n_sentences += 1
            n_words += len(words)
    return n_sentences, n_words
