"""Write the labelling-tool export samples of this folder (run from the repository root).

English: the first 60 sentences of data/ner_sample/ner_sample.conll (CC0) as doccano JSONL
(`doccano_ner.jsonl`, `"label": [[start, end, TYPE]]`) and as a Label Studio JSON export
(`labelstudio_ner.json`, annotations -> result -> labels), with spaces between words. Chinese:
30 sentences written here (CC0) with character offsets (`doccano_ner_zh.jsonl`,
`labelstudio_ner_zh.json`). Classification: 12 short reviews (`doccano_classification.jsonl`,
`labelstudio_classification.json`). A few records carry the faults real exports have: an
overlapping span, a span past the end of the text, a span that cuts a word, a text with two
labels and one not annotated; the tests name them by line.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def conll_sentences(n: int) -> list[list[tuple[str, str]]]:
    out, current = [], []
    for line in (ROOT / "data" / "ner_sample" / "ner_sample.conll").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if current:
                out.append(current)
                current = []
            continue
        if parts[0] != "-DOCSTART-":
            current.append((parts[0], parts[-1]))
    if current:
        out.append(current)
    return out[:n]


def to_spans(words: list[tuple[str, str]]) -> tuple[str, list[list]]:
    text, spans, start, current = "", [], 0, None
    for i, (word, tag) in enumerate(words):
        if i:
            text += " "
        begin = len(text)
        text += word
        if tag.startswith("B-") or (tag.startswith("I-") and current is None):
            current = [begin, len(text), tag[2:]]
            spans.append(current)
        elif tag.startswith("I-") and current is not None:
            current[1] = len(text)
        else:
            current = None
    return text, spans


ZH_PER, ZH_LOC, ZH_ORG = ["张伟", "李娜", "王芳", "刘洋", "陈静"], ["北京", "上海", "广州", "杭州", "南京"], \
    ["清华大学", "华为公司", "人民银行", "中国移动"]
ZH_PATTERNS = ["{PER}在{LOC}工作。", "{ORG}的总部位于{LOC}。", "{PER}昨天去了{LOC}。", "{PER}加入了{ORG}。",
               "{LOC}的{ORG}招聘了{PER}。"]


def zh_sentences(n: int) -> list[tuple[str, list[list]]]:
    rng = random.Random(7)
    out = []
    for _ in range(n):
        pattern = rng.choice(ZH_PATTERNS)
        text, spans, rest = "", [], pattern
        while rest:
            if rest.startswith("{"):
                kind, rest = rest[1:4], rest[5:]
                name = rng.choice({"PER": ZH_PER, "LOC": ZH_LOC, "ORG": ZH_ORG}[kind])
                spans.append([len(text), len(text) + len(name), kind])
                text += name
            else:
                text, rest = text + rest[0], rest[1:]
        out.append((text, spans))
    return out


def label_studio(texts_spans, choices=None) -> list[dict]:
    tasks = []
    for i, (text, spans) in enumerate(texts_spans, 1):
        result = [{"id": f"r{i}-{k}", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": s, "end": e, "text": text[s:e], "labels": [t]}} for k, (s, e, t) in enumerate(spans)]
        if choices is not None and choices[i - 1]:
            result.append({"id": f"c{i}", "from_name": "sentiment", "to_name": "text", "type": "choices",
                           "value": {"choices": choices[i - 1]}})
        annotations = [{"id": i, "result": result, "was_cancelled": False}] if result or choices is None else []
        tasks.append({"id": i, "data": {"text": text}, "annotations": annotations})
    return tasks


REVIEWS = [("A warm and funny film", ["pos"]), ("Dull, long and loud", ["neg"]), ("I loved every minute", ["pos"]),
           ("The plot makes no sense", ["neg"]), ("Beautifully shot and well acted", ["pos"]),
           ("Wooden acting, lazy script", ["neg"]), ("A small gem", ["pos"]), ("Two hours lost", ["neg"]),
           ("Clever, kind and moving", ["pos"]), ("Forgettable and empty", ["neg"]), ("Good and bad at once", ["pos", "neg"]),
           ("Not rated yet", [])]


def main() -> None:
    english = [to_spans(s) for s in conll_sentences(60)]
    english[3] = (english[3][0], english[3][1] + [[english[3][1][0][0], english[3][1][0][1] + 2, "MISC"]])  # overlap
    english[5] = (english[5][0], english[5][1] + [[len(english[5][0]) + 3, len(english[5][0]) + 9, "LOC"]])  # past end
    with open(HERE / "doccano_ner.jsonl", "w", encoding="utf-8") as fh:
        for i, (text, spans) in enumerate(english, 1):
            fh.write(json.dumps({"id": i, "text": text, "label": spans}, ensure_ascii=False) + "\n")
    (HERE / "labelstudio_ner.json").write_text(json.dumps(label_studio(english), ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
    chinese = zh_sentences(30)
    with open(HERE / "doccano_ner_zh.jsonl", "w", encoding="utf-8") as fh:
        for i, (text, spans) in enumerate(chinese, 1):
            fh.write(json.dumps({"id": i, "text": text, "entities": [
                {"id": k, "label": t, "start_offset": s, "end_offset": e} for k, (s, e, t) in enumerate(spans)],
                "relations": []}, ensure_ascii=False) + "\n")
    (HERE / "labelstudio_ner_zh.json").write_text(json.dumps(label_studio(chinese), ensure_ascii=False, indent=2) + "\n",
                                                  encoding="utf-8")
    with open(HERE / "doccano_classification.jsonl", "w", encoding="utf-8") as fh:
        for i, (text, labels) in enumerate(REVIEWS, 1):
            fh.write(json.dumps({"id": i, "text": text, "label": labels}, ensure_ascii=False) + "\n")
    (HERE / "labelstudio_classification.json").write_text(json.dumps(
        label_studio([(t, []) for t, _ in REVIEWS], [c for _, c in REVIEWS]), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")


if __name__ == "__main__":
    main()
