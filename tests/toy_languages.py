"""Toy corpora in several languages for the multilingual member's tests (tests/model, tests/aidetector/cli).

Real parts only: a German and a Chinese toy corpus whose AI texts use other words than the human ones (learnable),
a French one whose labels carry no signal (must stay unsupported), and an Arabic source that is only tested on.
"""

from __future__ import annotations

import random

from aidetector.model.config import MultilingualSettings

GERMAN_HUMAN = (
    "gestern sind wir mit dem Hund am alten Hafen spazieren gegangen und mein Bruder hat die ganze Zeit über die "
    "frechen Möwen gelacht die ihm seine Pommes geklaut haben während Oma sich über die Parkgebühren beschwert hat"
).split()


GERMAN_AI = (
    "darüber hinaus ist es wichtig zu betonen dass dieser umfassende Ansatz vielschichtige Aspekte beleuchtet und "
    "letztlich ein differenziertes Verständnis sowie eine nahtlose Integration zentraler Erkenntnisse fördert"
).split()


FRENCH = (
    "hier nous sommes allés au vieux port avec le chien et mon frère a ri tout le temps des mouettes qui lui "
    "volaient ses frites pendant que grand-mère se plaignait du prix du stationnement"
).split()


CHINESE_HUMAN = "昨天 我们 带着 小狗 去 老码头 散步 弟弟 一直 笑 海鸥 偷走 薯条 奶奶 抱怨 停车费".split()


CHINESE_AI = "此外 值得 注意 的是 这种 全面 方法 深入 探讨 多方面 最终 促进 深刻 理解 无缝 整合".split()


ARABIC = "ذهبنا أمس مع الكلب إلى الميناء القديم وضحك أخي طوال الوقت على النوارس التي سرقت طعامه".split()


def sentence(rng: random.Random, words: list[str], n: int, sep: str = " ") -> str:
    text = sep.join(rng.choice(words) for _ in range(n))
    return text + ("。" if sep == "" else ".")


def corpus(seed: int = 0, groups: int = 60) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    for g in range(groups):
        for label in (0, 1):
            common = {"label": label, "group": f"g{g}", "generator": "toy-llm" if label else "human"}
            de = GERMAN_AI if label else GERMAN_HUMAN
            de_row = {"language": "de", "source": "toy_de", "domain": f"d{g % 2}"}
            rows.append({**common, **de_row, "text": sentence(rng, de, 45)})
            zh = CHINESE_AI if label else CHINESE_HUMAN
            zh_row = {"language": "zh", "source": "toy_zh", "domain": f"d{g % 2}"}
            rows.append({**common, **zh_row, "text": sentence(rng, zh, 50, sep="")})
            # French: same words for both classes, labels carry nothing
            rows.append({**common, "text": sentence(rng, FRENCH, 45), "language": "fr", "source": "toy_fr"})
            rows.append({**common, "text": sentence(rng, ARABIC, 45), "language": "ar", "source": "toy_ar"})
            rows.append({**common, "text": sentence(rng, GERMAN_HUMAN, 45), "language": "en", "source": "toy_de"})
    return rows


SETTINGS = MultilingualSettings(char_features=2**14, word_features=2**10, test_only_sources="toy_ar", min_test_humans=5)
