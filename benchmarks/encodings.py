"""Benchmark: East Asian encoding detection, EmbedLab's reader against charset-normalizer alone (its peer).

    python benchmarks/encodings.py

For every text of ``tests/cases/east-asian-encodings`` and ``sjis-kanji-names`` (UTF-8 truths), in every
encoding it is written in (Shift-JIS/cp932, EUC-JP, EUC-KR/cp949, Big5, GB18030, UTF-16 LE/BE without BOM)
and at three sizes (first line, paragraph, about 100 KB), both detectors look at the same head (64 KiB cut at
its last line ending, as the reader samples it):
``core.text.decode.guess_encoding`` (right / asked / wrong) and ``charset_normalizer.from_bytes(...).best()``
(right / wrong; given the raw 64 KiB cut too when the trimmed head fails it). "Right" means the bytes
decode to the true text. One JSON line per cell, then a summary
line per detector with the counts and the mean time per file.
"""
from __future__ import annotations

import codecs
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = [("east-asian-encodings/ja.txt", ["cp932", "euc_jp", "utf-16-le", "utf-16-be"]),
         ("east-asian-encodings/ko.txt", ["cp949", "utf-16-le", "utf-16-be"]),
         ("east-asian-encodings/zh_hant.txt", ["big5", "utf-16-le", "utf-16-be"]),
         ("east-asian-encodings/zh_hans.txt", ["gb18030", "utf-16-le", "utf-16-be"]),
         ("east-asian-encodings/names_ja.txt", ["cp932", "euc_jp", "utf-16-le"]),
         ("east-asian-encodings/names_ko.txt", ["cp949", "utf-16-be"]),
         ("sjis-kanji-names/names8_utf8.txt", ["cp932"]),
         ("sjis-kanji-names/names_utf8.csv", ["cp932"])]


def sized(text: str, size: str) -> str:
    if size == "line":
        return text.splitlines()[0]
    return text if size == "paragraph" else text * (100_000 // len(text.encode("utf-16-le")) + 1)


def right(data: bytes, encoding: str | None, truth: str) -> bool:
    if not encoding:
        return False
    try:
        return data.decode(encoding) == truth
    except (UnicodeDecodeError, LookupError):
        return False


def main() -> None:
    from charset_normalizer import from_bytes

    from core.text.decode import SNIFF_BYTES, EncodingQuestion, guess_encoding
    from core.text.stream import _trim_partial
    from core.text.script import typical_sets

    typical_sets()  # load the character tables once (about a second), outside the timings
    totals = {"embedlab": {"right": 0, "asked": 0, "wrong": 0, "seconds": 0.0},
              "charset_normalizer": {"right": 0, "wrong": 0, "seconds": 0.0}}
    cells = 0
    for name, encodings in FILES:
        base = (ROOT / "tests" / "cases" / name).read_text(encoding="utf-8")
        for encoding in encodings:
            for size in ("line", "paragraph", "100KB"):
                truth = sized(base, size)
                data = truth.encode(encoding)
                complete = len(data) <= SNIFF_BYTES
                head = data if complete else _trim_partial(data[:SNIFF_BYTES])  # what the reader samples
                start = time.perf_counter()
                try:
                    ours = guess_encoding(head, complete=complete).encoding
                    verdict = "right" if right(data, ours, truth) else "wrong"
                except EncodingQuestion as asked:
                    ours, verdict = "asked: " + ", ".join(c.encoding for c in asked.candidates), "asked"
                ours_s = time.perf_counter() - start
                start = time.perf_counter()
                best = from_bytes(head).best()
                peer = best.encoding if best is not None else None
                peer_s = time.perf_counter() - start
                if not complete and not right(data, peer, truth):  # generous: also the raw 64 KiB cut (UTF-16 stays even)
                    raw = from_bytes(data[:SNIFF_BYTES]).best()
                    peer = raw.encoding if raw is not None else peer
                peer_verdict = "right" if right(data, peer, truth) else "wrong"
                totals["embedlab"][verdict] += 1
                totals["embedlab"]["seconds"] += ours_s
                totals["charset_normalizer"][peer_verdict] += 1
                totals["charset_normalizer"]["seconds"] += peer_s
                cells += 1
                print(json.dumps({"file": name, "encoding": encoding, "size": size, "bytes": len(data),
                                  "embedlab": ours, "embedlab_verdict": verdict, "embedlab_ms": round(1000 * ours_s, 1),
                                  "charset_normalizer": peer, "charset_normalizer_verdict": peer_verdict,
                                  "charset_normalizer_ms": round(1000 * peer_s, 1)}, ensure_ascii=False), flush=True)
    for detector, counts in totals.items():
        seconds = counts.pop("seconds")
        print(json.dumps({"detector": detector, "files": cells, **counts, "mean_ms": round(1000 * seconds / cells, 1)}))


if __name__ == "__main__":
    main()
