"""Live BPE / WordPiece training: textbook merges, vocabulary size, splits shrinking as the vocabulary grows."""
import pytest

from core.input_layer import SubwordConfig, compare, merges, read_lines, split, train_subword
from core.input_layer.subword import SPECIAL_TOKENS

# The Hugging Face course's worked example: hug x10, pug x5, pun x12, bun x4, hugs x5.
HUGS = ["hug " * 10 + "pug " * 5 + "pun " * 12 + "bun " * 4 + "hugs " * 5]
KINDS = ["bpe", "wordpiece"]


def test_bpe_textbook_merges():
    tok = train_subword(HUGS, SubwordConfig("bpe", vocab_size=len(SPECIAL_TOKENS) + 7 + 3, min_frequency=1))
    # Pair counts: u g 20, u n 16, then h ug 15.
    assert merges(tok) == [("u", "g"), ("u", "n"), ("h", "ug")]
    assert split(tok, "hugs bun") == [["hug", "s"], ["b", "un"]]


def test_wordpiece_marks_continuation_pieces():
    tok = train_subword(HUGS, SubwordConfig("wordpiece", vocab_size=len(SPECIAL_TOKENS) + 7 + 7 + 2, min_frequency=1))
    pieces = split(tok, "bugs")[0]
    assert pieces[0] == "b" and all(p.startswith("##") for p in pieces[1:])
    assert merges(tok) == []


@pytest.fixture(scope="module")
def lee_lines():
    from core.input_layer import sample_lines

    return sample_lines("lee")


@pytest.mark.parametrize("kind", KINDS)
def test_vocab_size_respected_and_words_merge_as_it_grows(lee_lines, kind):
    counts = []
    for size in (150, 600, 3000):
        tok = train_subword(lee_lines, SubwordConfig(kind, vocab_size=size))
        assert tok.get_vocab_size() <= size
        assert tok.get_vocab_size() >= 0.9 * size  # the corpus is large enough to fill it
        counts.append(len(split(tok, "government")[0]))
    assert counts[0] > counts[1] >= counts[2]
    assert counts[2] == 1  # a frequent word ends up whole


def test_compare_reports_both_kinds(lee_lines):
    result = compare(lee_lines, "Australian negotiations", vocab_size=500)
    assert set(result) == {"bpe", "wordpiece"}
    for kind, info in result.items():
        assert info["vocab_size"] <= 500
        assert len(info["words"]) == 2 and info["pieces"] == sum(map(len, info["words"]))
    assert len(result["bpe"]["merges"]) == 20


def test_read_lines_decodes_gbk_and_rejects_empty_or_binary():
    text = "自然语言处理\n\n词向量很有趣\n"
    assert read_lines(text.encode("gb18030"), "notes.txt") == ["自然语言处理", "词向量很有趣"]
    with pytest.raises(ValueError, match="empty"):
        read_lines(b"", "x.txt")
    with pytest.raises(ValueError):
        read_lines(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "picture.txt")


@pytest.mark.parametrize("kwargs,message", [
    ({"kind": "unigram"}, "bpe, wordpiece"),
    ({"vocab_size": 5}, "vocab_size"),
    ({"min_frequency": 0}, "min_frequency"),
])
def test_config_is_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SubwordConfig(**kwargs)


def test_empty_corpus_is_explained():
    with pytest.raises(ValueError, match="no text"):
        train_subword(["", "   "])


def test_unknown_character_costs_wordpiece_the_whole_word_but_bpe_only_the_character():
    lines = ["我们在北京学习中文"] * 5 + ["北京很大"] * 3
    result = compare(lines, "北京好", vocab_size=60)
    assert result["wordpiece"]["words"] == [["[UNK]"]]
    assert result["bpe"]["words"][0][-1] == "[UNK]" and "".join(result["bpe"]["words"][0][:-1]) == "北京"
