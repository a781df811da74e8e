"""CoNLL files as they are shipped: columns found by their roles, not their positions.

One token per line, a blank line between sentences, columns split by tabs (or
spaces). What each column holds is read from its content and said in the
reading report (``ReadingReport.columns_roles``):

- **index**: whole numbers 1, 2, 3 ... restarting at 1 in every sentence
  (GermEval 2014, indexed CoNLL-2003, CoNLL-U's ID). Never a word.
- **ner**: entity tags: ``O`` and ``B-``/``I-``/``E-``/``S-``/``L-``/``U-``
  prefixes (BIO, IOB1, IOBES, BILOU; ``B_X`` too) whose types are not chunk
  types. With several (GermEval's outer and embedded entities), the first one
  is taken and the report says which others there are; ``tag_column``
  (``--label-col N`` in the CLI, a picker on the page) takes another.
- **chunk**: the same prefixes over phrase types (NP, VP, PP ...; CoNLL-2000/2003).
- **pos**: tags in capitals or punctuation (NNP, VBZ, ``.``; UPOS), or a small closed set, that are
  no entity tags.
- **token**: the first remaining column (CoNLL-U: FORM, column 2).

Lines starting with ``#`` that are not tokens (``# id ...`` in MultiCoNER,
``# sent_id = 1`` in CoNLL-U, GermEval's ``#<TAB>http://... [date]``) and
``-DOCSTART-`` lines are skipped and counted. CoNLL-U (10 tab-separated
columns: ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC): multi-word token
ranges (``1-2``) and empty nodes (``8.1``) are skipped, the words are FORM,
the tags a tag column or ``NER=``/``Entity=`` in MISC.

``read_columns(text, name) -> ConllRead`` (sentences of words and tags, the
roles, notes); ``ValueError`` names the line when no tag column fits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from core.text.newlines import split_lines
from core.text.report import Note, note

TAG = re.compile(r"(?:O|[BIESLU][-_]\S+)")
CHUNK_TYPES = frozenset({"NP", "VP", "PP", "ADJP", "ADVP", "SBAR", "PRT", "INTJ", "CONJP", "LST", "UCP", "O"})
CONLLU_COLUMNS = ("ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS", "MISC")
_MISC_NER = re.compile(r"(?:^|\|)(?:NER|Entity|ner|NE)=([^|]+)")
_INT = re.compile(r"\d+")
_POS = re.compile(r"[A-Z][A-Z0-9$]{0,6}|[-.,:;`'()#$\"]{1,5}|-[A-Z]{3}-")  # Penn (NNP, PRP$, -LRB-, .) and UPOS tags
_CONLLU_SKIP = re.compile(r"\d+[-.]\d+")  # multi-word token range "1-2", empty node "8.1"


@dataclass
class ConllRead:
    """What :func:`read_columns` found: ``tokens``/``tags`` per sentence and how (roles, notes)."""

    tokens: list[list[str]]
    tags: list[list[str]]  # "B_X" spelt "B-X"; schemes (IOB1, IOBES, BILOU) as written
    raw_tags: list[list[str]]  # exactly as written
    roles: tuple[tuple[str, str, Note], ...]  # (column number from 1 or "MISC:NER", role, why)
    notes: list[Note] = field(default_factory=list)
    token_column: int = 0  # 0-based
    tag_column: int | str = -1  # 0-based, or "misc" for CoNLL-U's MISC attribute
    tag_columns: tuple[int, ...] = ()  # every column that holds entity tags (0-based)
    comments: int = 0
    docstarts: int = 0
    skipped_ranges: int = 0


def _fields(line: str) -> list[str]:
    return line.split("\t") if "\t" in line else line.split()


def _is_tag(value: str) -> bool:
    return TAG.fullmatch(value) is not None


def _tag_type(value: str) -> str:
    return value[2:] if len(value) > 2 else value


@dataclass
class _Line:
    number: int  # 1-based line in the file
    fields: list[str]


def _sentences(text: str) -> tuple[list[list[_Line]], int, int, int]:
    """Sentences of data lines; comment and -DOCSTART- lines left out (counted)."""
    lines = split_lines(text)
    data_widths = [len(_fields(ln)) for ln in lines if ln.strip() and not ln.startswith("#")]
    width = max(set(data_widths), key=data_widths.count) if data_widths else 0
    sentences: list[list[_Line]] = []
    current: list[_Line] = []
    comments = docstarts = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        parts = [p.strip() for p in _fields(line)]
        if parts[0] == "-DOCSTART-":
            docstarts += 1
            continue
        if line.startswith("#") and not (len(parts) == width and _is_tag(parts[-1])):
            comments += 1  # "# sent_id = 1", "#\thttp://... [2009-10-17]"; a "#hashtag B-X" token is a token
            continue
        current.append(_Line(number, parts))
    if current:
        sentences.append(current)
    return sentences, width, comments, docstarts


def _is_index(sentences: list[list[_Line]], col: int) -> bool:
    """Whole numbers that count 1, 2, 3 ... within each sentence (ranges like 1-2 allowed in CoNLL-U)."""
    for sentence in sentences:
        expected = 1
        for line in sentence:
            value = line.fields[col] if col < len(line.fields) else ""
            if _CONLLU_SKIP.fullmatch(value):
                continue
            if not _INT.fullmatch(value) or int(value) != expected:
                return False
            expected += 1
    return True


def _column(sentences: list[list[_Line]], col: int) -> list[str]:
    return [ln.fields[col] for s in sentences for ln in s if col < len(ln.fields)]


def read_columns(text: str, name: str, *, tag_column: int | None = None, token_column: int | None = None) -> ConllRead:
    """Words and tags of a CoNLL / CoNLL-U file by column roles (see the module docstring).

    ``tag_column``/``token_column``: 1-based column numbers the user chose (None: by content).
    Raises ``ValueError`` naming the file and line when the file holds no entity tags.
    """
    sentences, width, comments, docstarts = _sentences(text)
    if not sentences:
        raise ValueError(f"{name} has no sentences.")
    conllu = width == 10 and _is_index(sentences, 0)
    skipped = 0
    if conllu:
        sentences, skipped = _without_conllu_ranges(sentences)
    _require_two_columns(sentences, name)
    widths = {len(ln.fields) for s in sentences for ln in s}
    if len(widths) > 1 and tag_column is None and token_column is None:
        return _first_and_last(sentences, name, comments, docstarts)
    n_cols = min(widths)
    roles = _content_roles(sentences, n_cols)
    if conllu:
        _add_conllu_roles(roles, n_cols)
    _add_pos_roles(roles, sentences, n_cols)
    token = _token_role(roles, n_cols, token_column, conllu, name)
    ner_columns = tuple(c for c in range(n_cols) if roles.get(c, ("",))[0] == "tags" and c != token)
    chosen, misc = _tag_role(roles, sentences, n_cols, token, ner_columns, tag_column=tag_column, conllu=conllu,
                             name=name)
    tokens, tags, raw = _tagged(sentences, name, token, _tag_reader(chosen, misc))
    notes = _skip_notes(comments, docstarts)
    if skipped:
        notes.append(note("conllu_ranges", "{n} CoNLL-U multi-word token range(s) or empty node(s) were skipped; "
                          "their words are read one by one.", n=skipped))
    for col in range(n_cols):
        roles.setdefault(col, ("other", note("role_other", "not used")))
    shown = tuple((str(c + 1), role, why) for c, (role, why) in sorted(roles.items()))
    return ConllRead(tokens, tags, raw, shown, notes, token, misc or chosen, ner_columns, comments, docstarts, skipped)


def _without_conllu_ranges(sentences: list[list[_Line]]) -> tuple[list[list[_Line]], int]:
    """``(sentences, how many lines were left out)`` without CoNLL-U's multi-word token ranges and empty nodes,
    which are not words of their own."""
    kept = [[ln for ln in s if not _CONLLU_SKIP.fullmatch(ln.fields[0])] for s in sentences]
    skipped = sum(len(a) - len(b) for a, b in zip(sentences, kept))
    return [s for s in kept if s], skipped


def _require_two_columns(sentences: list[list[_Line]], name: str) -> None:
    """Raises ``ValueError`` naming the first line with a single column."""
    short = next((ln for s in sentences for ln in s if len(ln.fields) < 2), None)
    if short is not None:
        raise ValueError(f"{name} line {short.number} has one column ({' '.join(short.fields)[:40]!r}); CoNLL lines "
                         "need a word and a tag separated by a space or a tab.")


def _content_roles(sentences: list[list[_Line]], n_cols: int) -> dict[int, tuple[str, Note]]:
    """``{column: (role, why)}`` for the columns whose content says what they are: index, chunk or entity tags."""
    roles: dict[int, tuple[str, Note]] = {}
    for col in range(n_cols):
        values = _column(sentences, col)
        if _is_index(sentences, col):
            roles[col] = ("index", note("role_index", "whole numbers 1, 2, 3 ... restarting in each sentence"))
        elif all(_is_tag(v) for v in values):
            types = {_tag_type(v) for v in values} - {"O"}
            if types and types <= CHUNK_TYPES:
                roles[col] = ("chunk", note("role_chunk", "B-/I- tags over phrase types ({types})",
                                            types=", ".join(sorted(types)[:5])))
            elif types:
                roles[col] = ("tags", note("role_ner", "O and B-/I- tags over entity types ({types})",
                                          types=", ".join(sorted(types)[:5])))
            else:
                roles[col] = ("tags", note("role_ner_o", "only O tags"))
    return roles


def _add_conllu_roles(roles: dict[int, tuple[str, Note]], n_cols: int) -> None:
    """CoNLL-U's FORM as the words, and its other columns by their names, where the content said nothing."""
    roles.setdefault(1, ("token", note("role_conllu", "CoNLL-U column {column}", column="FORM")))
    for col in range(2, min(n_cols, 10)):
        if col not in roles:
            roles[col] = (f"conllu_{CONLLU_COLUMNS[col].lower()}",
                          note("role_conllu", "CoNLL-U column {column}", column=CONLLU_COLUMNS[col]))


def _add_pos_roles(roles: dict[int, tuple[str, Note]], sentences: list[list[_Line]], n_cols: int) -> None:
    """Part-of-speech roles: a small closed set of tags (or Penn/UPOS-shaped ones) after the first free column."""
    candidates = [c for c in range(n_cols) if c not in roles]
    for col in candidates:
        values = _column(sentences, col)
        distinct = set(values)
        small = len(distinct) <= max(60, len(values) // 20) and len(values) >= 2 * len(distinct)
        if col != candidates[0] and (small or all(_POS.fullmatch(v) for v in distinct)):
            roles[col] = ("pos", note("role_pos", "a small set of {n} part-of-speech tags", n=len(distinct)))


def _token_role(roles: dict[int, tuple[str, Note]], n_cols: int, token_column: int | None, conllu: bool,
                name: str) -> int:
    """The 0-based column of the words (the user's choice, else the first column with no other role)."""
    if token_column is not None:
        if not 1 <= token_column <= n_cols:
            raise ValueError(f"{name} has {n_cols} columns; there is no column {token_column} for the words.")
        token = token_column - 1
        roles[token] = ("token", note("role_given", "as chosen"))
        return token
    words = [c for c in range(n_cols) if c not in roles] or [c for c in range(n_cols) if roles[c][0] != "index"]
    token = 1 if conllu else words[0]
    if token not in roles or roles[token][0] != "token":
        roles[token] = ("token", note("role_token", "the first column that is neither numbers nor tags"))
    return token


def _tag_role(roles: dict[int, tuple[str, Note]], sentences: list[list[_Line]], n_cols: int, token: int,
              ner_columns: tuple[int, ...], *, tag_column: int | None, conllu: bool,
              name: str) -> tuple[int, str | None]:
    """``(column, "misc" or None)``: the 0-based column the tags are read from ("misc": from the NER=
    attribute in CoNLL-U's MISC column), its role and that of the other tag columns set in ``roles``."""
    if tag_column is not None:
        return _given_tag_column(roles, n_cols, token, ner_columns, tag_column, name), None
    if ner_columns:
        _mark_inner_tags(roles, ner_columns)
        return ner_columns[0], None
    if conllu and n_cols >= 10 and any(_MISC_NER.search(v) for v in _column(sentences, 9)):
        roles[9] = ("tags", note("role_misc", "the NER= attribute of the MISC column"))
        return 9, "misc"
    return n_cols - 1, None  # the classic layout: the tag is last; its first bad value is named when read


def _given_tag_column(roles: dict[int, tuple[str, Note]], n_cols: int, token: int, ner_columns: tuple[int, ...],
                      tag_column: int, name: str) -> int:
    """The 0-based column of the tags the user chose; ``ValueError`` when there is none such or it holds the words."""
    if not 1 <= tag_column <= n_cols or tag_column - 1 == token:
        raise ValueError(f"{name} has {n_cols} columns (words in column {token + 1}); choose another one of "
                         f"them for the tags, not {tag_column}.")
    chosen = tag_column - 1
    roles[chosen] = ("tags", note("role_given", "as chosen"))
    for c in ner_columns:  # GermEval's outer column when the inner one was chosen: said, not used
        if c != chosen:
            roles[c] = ("tags_other", note("role_ner_unused", "entity tags too; not used (column {chosen} was "
                                          "chosen)", chosen=chosen + 1))
    return chosen


def _mark_inner_tags(roles: dict[int, tuple[str, Note]], ner_columns: tuple[int, ...]) -> None:
    """With several entity tag columns, the first is used and the report says how to take the others."""
    if len(ner_columns) > 1:
        others = ", ".join(str(c + 1) for c in ner_columns[1:])
        roles[ner_columns[0]] = ("tags", note("role_ner_outer", "entity tags, the first of {n} tag columns: the outer "
                                              "entities (GermEval); column {others} holds the inner ones: pass "
                                              "--label-col {first} (or pick it) to train on those",
                                              n=len(ner_columns), others=others, first=ner_columns[1] + 1))
        for c in ner_columns[1:]:
            roles[c] = ("tags_other", note("role_ner_other", "entity tags too (inner, embedded entities); not used"))


def _tag_reader(chosen: int, misc: str | None) -> Callable[[_Line], str]:
    """A function giving a line's tag as written: its field ``chosen`` ("" when the line is shorter), or with
    ``misc`` the NER= attribute in that field ("O" when there is none)."""
    def tag_of(line: _Line) -> str:
        value = line.fields[chosen] if chosen < len(line.fields) else ""
        if misc:
            found = _MISC_NER.search(value)
            value = found.group(1) if found else "O"
        return value

    return tag_of


def _tagged(sentences: list[list[_Line]], name: str, word_column: int,
            tag_of: Callable[[_Line], str]) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """``(tokens, tags, raw_tags)`` per sentence: the word in ``word_column``, the tag ``tag_of(line)`` (``B_X``
    spelt ``B-X`` in ``tags``, as written in ``raw_tags``).

    Raises ``ValueError`` naming the first line whose tag is no BIO tag.
    """
    tokens, tags, raw = [], [], []
    for sentence in sentences:
        words, labels, written = [], [], []
        for line in sentence:
            value = tag_of(line)
            if not _is_tag(value):
                hint = " (a zero, not the letter O?)" if value == "0" else ""
                raise ValueError(f"{name} line {line.number}: {value!r} is not a BIO tag{hint}; tags look like O, "
                                 "B-TYPE or I-TYPE (IOB1, IOBES and BILOU are converted).")
            words.append(line.fields[word_column])
            labels.append(value if value == "O" else f"{value[0]}-{value[2:]}")
            written.append(value)
        tokens.append(words)
        tags.append(labels)
        raw.append(written)
    return tokens, tags, raw


def _skip_notes(comments: int, docstarts: int) -> list[Note]:
    """The notes saying how many comment and -DOCSTART- lines were skipped (none for none)."""
    notes = []
    if comments:
        notes.append(note("conll_comments", "{n} comment line(s) starting with # were skipped.", n=comments))
    if docstarts:
        notes.append(note("conll_docstart", "{n} -DOCSTART- line(s) were skipped.", n=docstarts))
    return notes


def _first_and_last(sentences: list[list[_Line]], name: str, comments: int, docstarts: int) -> ConllRead:
    """Lines of different widths (``-DOCSTART- -X- O O`` beside ``Peter I-PER``): the word first, the tag last."""
    tokens, tags, raw = _tagged(sentences, name, 0, lambda line: line.fields[-1])
    why = note("role_ragged", "lines have different numbers of columns: the first is the word, the last the tag")
    notes = _skip_notes(comments, docstarts)
    return ConllRead(tokens, tags, raw, (("1", "token", why), ("last", "tags", why)), notes, 0, -1, (), comments,
                     docstarts, 0)


def looks_like_conll(text: str) -> bool:
    """True if ``text`` reads as CoNLL: short tab/space-separated lines with a tag column, sentences split by
    blank lines (comment lines allowed)."""
    try:
        sentences, width, _, _ = _sentences(text[:200_000])
    except ValueError:
        return False
    if not sentences or not 2 <= width <= 15:
        return False
    lines = [ln for s in sentences for ln in s]
    if sum(len(ln.fields) == width for ln in lines) < 0.9 * len(lines):
        return False
    tagged = any(all(_is_tag(ln.fields[c]) for ln in lines if c < len(ln.fields)) for c in range(width))
    words_per_line = sum(len(" ".join(ln.fields).split()) for ln in lines) / len(lines)
    return (tagged or width == 10) and (len(sentences) > 1 or words_per_line <= width + 1)
