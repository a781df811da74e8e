"""Write topics.jsonl: short English news headlines, each with one to three topics, as labelling tools export.

Written for EmbedLab (CC0). The phrases below were written by hand for this project; the
script combines them (seeded, so the file is reproducible) into headlines about one topic
or two, and writes one JSON object a line: ``{"text": ..., "labels": [...]}``.

    python data/multilabel_sample/make_sample.py
"""
from __future__ import annotations

import json
import random
from pathlib import Path

PHRASES = {
    "sports": ["the striker scores twice in the derby", "the champions sign a new goalkeeper",
               "the marathon draws a record field", "the coach is fined after the final",
               "the tennis star wins a fifth title", "the club parades the cup through the city",
               "the cyclist takes the yellow jersey", "the rugby team loses in extra time",
               "the league bans a player for doping", "the swimmer breaks the world record"],
    "politics": ["parliament passes the budget", "the minister resigns after a vote",
                 "voters head to the polls on sunday", "the senate blocks the new bill",
                 "the president meets union leaders", "the opposition calls for an early election",
                 "the cabinet debates a new law", "the mayor promises cheaper housing",
                 "the party picks a new leader", "the government loses a key vote"],
    "business": ["shares fall after the earnings report", "the bank keeps interest rates unchanged",
                 "the start-up raises fifty million", "the retailer cuts two thousand jobs",
                 "oil prices climb to a yearly high", "the carmaker recalls its new model",
                 "the merger creates the largest airline", "inflation slows for a third month",
                 "the factory doubles its output", "investors sell technology stocks"],
    "science": ["astronomers find a new planet", "the telescope sends its first images",
                "researchers map the brain of a fly", "the rover finds traces of water on mars",
                "physicists measure the neutrino mass", "a new fossil changes the dinosaur family tree",
                "the probe reaches the outer moons", "chemists build a better battery",
                "the satellite tracks melting glaciers", "biologists sequence an ancient genome"],
    "health": ["the hospital opens a new cancer ward", "doctors warn of a severe flu season",
               "the vaccine protects children from measles", "a new drug lowers blood pressure",
               "nurses strike over hospital staffing", "the clinic offers free eye tests",
               "a study links sleep to heart disease", "the health service cuts waiting lists",
               "surgeons transplant a lab grown organ", "the trial of the malaria vaccine succeeds"],
}
JOINS = ["{a} as {b}", "{a}; meanwhile {b}", "{a} while {b}", "after {b}, {a}"]


def headlines(n: int = 240, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    topics = sorted(PHRASES)
    rows = []
    while len(rows) < n:
        picked = rng.sample(topics, rng.choice((1, 1, 2, 2, 3)))
        parts = [rng.choice(PHRASES[topic]) for topic in picked]
        text = parts[0]
        for part in parts[1:]:
            text = rng.choice(JOINS).format(a=text, b=part)
        text = text[0].upper() + text[1:]
        row = {"text": text, "labels": picked}
        if row not in rows:
            rows.append(row)
    return rows


if __name__ == "__main__":
    out = Path(__file__).with_name("topics.jsonl")
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in headlines()), encoding="utf-8")
    print(f"wrote {out}")
