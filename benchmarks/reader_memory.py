"""Peak memory of one pass of the corpus reader: a text8-style one-line corpus against the same words with newlines.

    python benchmarks/reader_memory.py --mb 40

Writes both files to a temporary folder, reads each in a fresh child process
(``core.text.read_corpus``, tokens counted, nothing kept) and prints one JSON
line per file: tokens, seconds, peak RSS and its growth over the start-up
baseline. The peer is the newline file: memory must not grow with line length.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(path: str) -> dict:
    import resource
    import time

    sys.path.insert(0, str(ROOT))
    from core.text import read_corpus

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    tokens = sum(len(sentence) for sentence in read_corpus(path))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"bench": "reader_memory", "file": Path(path).name, "mb": round(Path(path).stat().st_size / 2**20, 1),
            "tokens": tokens, "seconds": round(time.perf_counter() - start, 2), "peak_rss_mb": round(peak / 1024, 1),
            "growth_mb": round((peak - base) / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=40, help="size of each corpus in MiB")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)), flush=True)
        return
    rng = random.Random(1)
    words = [f"w{rng.randrange(20_000)}" for _ in range(200_000)]
    with tempfile.TemporaryDirectory() as tmp:
        one_line, lines = Path(tmp) / "one_line.txt", Path(tmp) / "newlines.txt"
        target = int(args.mb * 2**20)
        with open(one_line, "w") as a, open(lines, "w") as b:
            written, i = 0, 0
            while written < target:
                chunk = words[i % len(words): i % len(words) + 20]
                a.write(" ".join(chunk) + " ")
                b.write(" ".join(chunk) + "\n")
                written += sum(len(w) + 1 for w in chunk)
                i += 20
        for path in (lines, one_line):
            subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True)


if __name__ == "__main__":
    main()
