"""Write ner_sample.conll: English sentences with PER/ORG/LOC/MISC entities in BIO.

Written for EmbedLab (CC0). The sentence patterns and names below were written by
hand for this project; the script fills the patterns with names (seeded, so the
file is reproducible) and writes one ``word TAG`` line per token, a blank line
between sentences, starting with ``-DOCSTART- O``.

    python data/ner_sample/make_sample.py
"""
from __future__ import annotations

import random
from pathlib import Path

PER = ["Maria Lopez", "John Smith", "Aisha Bello", "Chen Wei", "Olga Petrova", "Tom", "Grace Hopper",
       "Ada Lovelace", "Rahul Mehta", "Sofia Rossi", "Kenji Tanaka", "Emma", "Lars Nilsson", "Fatima Khan",
       "David Cohen", "Lucy Brown", "Pierre Martin", "Ngozi Okafor", "Mark Evans", "Li Na", "Hannah Weber",
       "Carlos", "Yuki Sato", "Omar Haddad"]
ORG = ["Acme Corp", "the United Nations", "Google", "Oxford University", "Red Cross", "Siemens",
       "the World Bank", "Nike", "Tsinghua University", "BBC", "Toyota", "Greenpeace", "the city council",
       "Microsoft", "Reuters", "Airbus", "the Bank of England", "UNESCO", "Samsung", "the Royal Society",
       "Nokia", "Harvard", "the Ministry of Health", "Shell"]
LOC = ["London", "Paris", "New York", "Beijing", "Lagos", "the Alps", "Berlin", "Tokyo", "Cairo",
       "the Nile", "Lake Geneva", "Mumbai", "Sydney", "Brazil", "Canada", "Mount Kenya", "Rome", "Oslo",
       "San Francisco", "Shanghai", "the Pacific", "Madrid", "Nairobi", "Scotland"]
MISC = ["English", "Olympic Games", "Nobel Prize", "World Cup", "French", "Christmas", "Python",
        "Buddhist", "Japanese", "Tour de France", "Euro", "Chinese", "Oscar", "Ramadan", "Android",
        "Renaissance", "Spanish", "Champions League", "German", "Diwali"]

PATTERNS = """\
{PER} works for {ORG} in {LOC} .
{PER} visited {LOC} last summer .
{ORG} opened a new office in {LOC} .
The {MISC} team arrived in {LOC} on Monday .
{PER} won the {MISC} in 2019 .
{PER} and {PER} met at {ORG} .
Officials from {ORG} said the talks in {LOC} went well .
{PER} speaks {MISC} and {MISC} .
The river flows from {LOC} to {LOC} .
{ORG} hired {PER} as its new director .
Yesterday {PER} flew from {LOC} to {LOC} .
{ORG} and {ORG} signed a deal on Friday .
Many people in {LOC} celebrate {MISC} .
{PER} is studying at {ORG} .
According to {ORG} , prices in {LOC} rose again .
The {MISC} will be held in {LOC} next year .
{PER} wrote a book about {LOC} .
Shares of {ORG} fell after the report .
{PER} told {ORG} that she would stay in {LOC} .
We drove through {LOC} on our way to {LOC} .
The museum in {LOC} has a {MISC} collection .
{PER} thanked {PER} for the help .
{ORG} warned that floods could reach {LOC} .
A spokesman for {ORG} declined to comment .
{PER} grew up near {LOC} .
The {MISC} festival draws crowds to {LOC} every year .
{PER} , a teacher from {LOC} , joined {ORG} in March .
Researchers at {ORG} published a study on {MISC} music .
The weather in {LOC} was cold and wet .
{PER} gave a talk at {ORG} about {MISC} .
It rained all week .
The meeting ended early .
She bought bread and milk at the market .
{ORG} plans to build a factory outside {LOC} .
{PER} said the {MISC} results were a surprise .
Tourists from {LOC} love the beaches of {LOC} .
{PER} will coach the national team at the {MISC} .
The train to {LOC} was late again .
{ORG} reported strong sales in {LOC} and {LOC} .
{PER} met the mayor of {LOC} .
Students at {ORG} learn {MISC} in their first year .
{PER} left {ORG} after ten years .
The bridge over {LOC} was closed for repairs .
{PER} , {PER} and {PER} climbed {LOC} together .
{ORG} donated books to schools in {LOC} .
Our neighbours are moving to {LOC} .
{PER} cooked a {MISC} dinner for her friends .
Talks between {ORG} and {ORG} broke down .
The new phone runs {MISC} .
{PER} is the captain of the team .
"""


def tokens_and_tags(pattern: str, rng: random.Random) -> tuple[list[str], list[str]]:
    words, tags = [], []
    pools = {"PER": PER, "ORG": ORG, "LOC": LOC, "MISC": MISC}
    for piece in pattern.split():
        kind = piece[1:-1] if piece.startswith("{") and piece.endswith("}") else None
        if kind is None:
            words.append(piece)
            tags.append("O")
            continue
        name = rng.choice(pools[kind]).split()
        if name[0] == "the":  # "the" belongs to the sentence, not the name (CoNLL convention)
            words.append("the" if words else "The")
            tags.append("O")
            name = name[1:]
        words.extend(name)
        tags.extend([f"B-{kind}"] + [f"I-{kind}"] * (len(name) - 1))
    return words, tags


def main(n_sentences: int = 220, seed: int = 7) -> None:
    rng = random.Random(seed)
    patterns = [p for p in PATTERNS.splitlines() if p.strip()]
    lines = ["-DOCSTART- O", ""]
    for i in range(n_sentences):
        words, tags = tokens_and_tags(patterns[i % len(patterns)], rng)
        lines.extend(f"{w} {t}" for w, t in zip(words, tags))
        lines.append("")
    out = Path(__file__).with_name("ner_sample.conll")
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {n_sentences} sentences to {out}")


if __name__ == "__main__":
    main()
