"""Regenerate zh_sample.txt: short Chinese sentences written for EmbedLab (CC0).

The sentences come from hand-written templates over a few themes (family,
animals, food, cities and travel, school, weather and seasons, work and
technology), so that the same words recur in varied contexts: enough for
word2vec to place 猫 near 狗, 北京 near 上海 and 老师 near 学生 on a laptop in
seconds. Run: ``python data/zh_sample/make_sample.py`` (seeded, deterministic).
"""
from __future__ import annotations

import random
from pathlib import Path

THEMES = {
    "family": {
        "who": ["爸爸", "妈妈", "爷爷", "奶奶", "哥哥", "姐姐", "弟弟", "妹妹"],
        "templates": [
            "{who}每天早上给全家人做早饭。",
            "{who}和{who2}周末一起去公园散步。",
            "我的{who}很喜欢看书，也喜欢听音乐。",
            "晚上{who}在家里陪{who2}聊天。",
            "{who}给{who2}买了一件新衣服。",
            "过年的时候，{who}和{who2}都回老家看望亲人。",
            "{who}常常打电话问{who2}身体好不好。",
            "全家人围着桌子吃饭，{who}讲了一个有趣的故事。",
        ],
    },
    "animals": {
        "who": ["猫", "狗", "小猫", "小狗", "兔子", "小鸟", "金鱼", "马"],
        "templates": [
            "那只{who}在院子里晒太阳。",
            "{who}和{who2}都是很可爱的动物。",
            "我家养了一只{who}，它每天都要吃东西。",
            "孩子们喜欢和{who}一起玩。",
            "{who}饿了，就跑到厨房找吃的。",
            "动物园里有{who}，也有{who2}。",
            "{who}睡在沙发上，{who2}睡在地上。",
            "邻居家的{who}昨天生了病，医生给它打了针。",
        ],
    },
    "food": {
        "who": ["米饭", "面条", "饺子", "包子", "苹果", "香蕉", "牛奶", "鸡蛋", "蔬菜", "水果"],
        "templates": [
            "早饭我吃了{who}，还喝了一杯热茶。",
            "妈妈做的{who}特别好吃。",
            "超市里的{who}和{who2}今天都很便宜。",
            "多吃{who}和{who2}对身体有好处。",
            "中午我们在食堂吃{who}。",
            "他不喜欢吃{who}，但是很喜欢吃{who2}。",
            "北方人过年喜欢包{who}。",
            "厨房里放着新鲜的{who}。",
        ],
    },
    "cities": {
        "who": ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "西安"],
        "templates": [
            "{who}是中国的一个大城市。",
            "我们坐高铁从{who}去{who2}。",
            "{who}的交通很方便，地铁很多。",
            "今年夏天我打算去{who}旅游。",
            "{who}和{who2}都有很多历史博物馆。",
            "他在{who}工作，周末回{who2}看父母。",
            "{who}的冬天比{who2}冷。",
            "很多游客喜欢在{who}拍照。",
        ],
    },
    "school": {
        "who": ["老师", "学生", "校长", "同学", "教授", "班长"],
        "templates": [
            "{who}在教室里认真地讲课。",
            "{who}和{who2}一起讨论数学问题。",
            "考试以前，{who}复习了很多课文。",
            "图书馆里有很多{who}在看书。",
            "{who}问了{who2}一个很难的问题。",
            "下课以后，{who}在操场上跑步。",
            "{who}每天都要写作业和读课文。",
            "学校里的{who}都很喜欢上语文课。",
        ],
    },
    "weather": {
        "who": ["春天", "夏天", "秋天", "冬天"],
        "templates": [
            "{who}来了，天气变得越来越{feel}。",
            "{who}常常下雨，出门要带伞。",
            "我最喜欢{who}，因为{who}的风景很美。",
            "{who}的时候，公园里开满了花。",
            "今天是晴天，太阳很大，天气很{feel}。",
            "明天可能下雪，气温会很低。",
            "{who}过去了，{who2}就要到了。",
        ],
        "feel": ["暖和", "热", "凉快", "冷"],
    },
    "work": {
        "who": ["电脑", "手机", "网络", "软件", "程序", "数据"],
        "templates": [
            "工程师用{who}写{who2}。",
            "我的{who}坏了，需要修理。",
            "公司每天都要处理很多{who}。",
            "年轻人离不开{who}和{who2}。",
            "他在办公室里用{who}工作到很晚。",
            "这个{who}可以帮助我们学习中文。",
            "人工智能需要大量的{who}和强大的{who2}。",
            "老师教学生怎么用{who}查资料。",
        ],
    },
}


def sentences(seed: int = 7, per_template: int = 16) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for theme in THEMES.values():
        words = theme["who"]
        for template in theme["templates"]:
            for _ in range(per_template):
                who, who2 = rng.sample(words, 2)
                feel = rng.choice(theme.get("feel", ["好"]))
                out.append(template.format(who=who, who2=who2, feel=feel))
    rng.shuffle(out)
    # Keep duplicates out: each line is a distinct sentence.
    seen, unique = set(), []
    for line in out:
        if line not in seen:
            seen.add(line)
            unique.append(line)
    return unique


if __name__ == "__main__":
    target = Path(__file__).with_name("zh_sample.txt")
    lines = sentences()
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} sentences to {target}")
