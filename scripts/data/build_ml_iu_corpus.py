"""Rebuild data/multilingual/iu_hai_corpus.jsonl.xz (de, en, es, fr; not in git).

Human-AI-Generated Text Corpus (IU International University): 100 Wikipedia
texts per language (10 categories) and, for each, 4 ChatGPT (gpt-3.5-turbo,
April 2023) texts: generated from the title (basic / "as a human would"), and
rephrased from the human text (basic / "as a human would").  English also has
100 news articles with 4 ChatGPT versions each.  Schaaff, Schlippe & Mindner,
"Classification of human- and AI-generated texts for different languages and
domains", Int. J. Speech Technology 2024; ICNLSP 2023.

The repository has no license, so the data is not committed: this script
rebuilds it.

    python scripts/data/build_ml_iu_corpus.py [PATH]

PATH: a directory holding wiki_human_generated.pkl, wiki_chatgpt_generated.pkl,
news_human_generated.pkl, news_chatgpt_generated.pkl (as in the repository), or
the repository archive zip; without it the four files of the pinned commit are
downloaded.  The pickles are pandas DataFrames; they are read here without
pandas (a restricted unpickler that only rebuilds numpy arrays and records the
pandas objects' arguments).
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import urllib.request

import numpy as np
from ml_common import REPO_ROOT, save

REPO = "https://github.com/iu-ai-research/human-AI-generatedTextCorpus"
COMMIT = "32805de1dbcec98b6bd965029be5481acf2a31e9"
RAW = f"https://raw.githubusercontent.com/iu-ai-research/human-AI-generatedTextCorpus/{COMMIT}"
FILES = (
    "wiki_human_generated.pkl",
    "wiki_chatgpt_generated.pkl",
    "news_human_generated.pkl",
    "news_chatgpt_generated.pkl",
)


class _Obj:
    """Stand-in for a pandas object: keeps constructor args and pickled state."""

    def __init__(self, *args, **kw):
        self.args, self.kw, self.state = args, kw, None

    def __setstate__(self, state):
        self.state = state


def _factory(qualname):
    def make(*args, **kw):
        o = _Obj(*args, **kw)
        o.qualname = qualname
        return o

    make.__qualname__ = qualname
    return make


class _Unpickler(pickle.Unpickler):
    ALLOWED = frozenset(
        {
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy.core.numeric", "_frombuffer"),
            ("numpy._core.numeric", "_frombuffer"),
            ("builtins", "slice"),
            ("datetime", "date"),
            ("datetime", "datetime"),
            ("copyreg", "_reconstructor"),
            ("builtins", "object"),
        }
    )

    def find_class(self, module, name):
        if module.startswith("pandas"):
            cls = type(name, (_Obj,), {"qualname": f"{module}.{name}"})
            if name[0].islower() or name.startswith("_"):
                return _factory(f"{module}.{name}")
            return cls
        if (module, name) in self.ALLOWED:
            if module.startswith("numpy.core.") and hasattr(np, "_core"):
                module = "numpy._core." + module.split(".", 2)[2]
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused global {module}.{name}")


def _index_values(ix) -> list:
    # _new_Index(cls, {'data': array, 'name': ...}) or RangeIndex(start, stop, step)
    if isinstance(ix, _Obj):
        if ix.args and isinstance(ix.args[-1], dict):
            d = ix.args[-1]
            if "data" in d:
                return list(d["data"])
            if "start" in d:
                return list(range(d["start"], d["stop"], d.get("step", 1)))
        if isinstance(ix.state, dict) and "data" in ix.state:
            return list(ix.state["data"])
    return list(ix)


def read_frame(data: bytes) -> list[dict]:
    df = _Unpickler(io.BytesIO(data)).load()
    state = df.state if isinstance(df.state, dict) else df.args[-1]
    mgr = state["_mgr"]
    st = mgr.state
    if st is None:  # pandas 2.x: BlockManager(blocks, axes), blocks = _unpickle_block(values, placement, ndim)
        st = (mgr.args[1], list(mgr.args[0]))
    # pandas 1.x BlockManager state: (axes, blocks, ..., {"0.14.1": {"axes": .., "blocks": [..]}})
    extra = st[3] if isinstance(st, tuple) and len(st) > 3 else None
    if isinstance(extra, dict) and "0.14.1" in extra:
        axes = extra["0.14.1"]["axes"]
        blocks = [(b["values"], b["mgr_locs"]) for b in extra["0.14.1"]["blocks"]]
    else:
        axes = st[0]
        blocks = [(b.args[0], b.args[1]) for b in st[1]]
    columns = [str(c) for c in _index_values(axes[0])]
    nrows = len(_index_values(axes[1]))
    table: dict[str, list] = {}
    for values, locs in blocks:
        if isinstance(locs, slice):
            locs = list(range(*locs.indices(len(columns))))
        elif isinstance(locs, _Obj):  # BlockPlacement
            locs = (
                list(range(*locs.args[0].indices(len(columns))))
                if isinstance(locs.args[0], slice)
                else list(locs.args[0])
            )
        if isinstance(values, _Obj):  # e.g. DatetimeArray: state = (dtype, ndarray, attrs)
            values = values.state[1] if isinstance(values.state, tuple) else values.args[0]
        locs = [int(x) for x in np.asarray(locs).ravel()] if not isinstance(locs, list) else locs
        values = np.asarray(values)
        if values.ndim == 1:
            values = values.reshape(1, -1)
        for i, col in enumerate(locs):
            table[columns[int(col)]] = list(values[i])
    return [{c: table[c][i] for c in columns if c in table} for i in range(nrows)]


def load(src: str | None, name: str) -> bytes:
    if src and os.path.isdir(src):
        with open(os.path.join(src, name), "rb") as fh:
            return fh.read()
    if src and os.path.isfile(src):
        import zipfile

        z = zipfile.ZipFile(src)
        hit = [n for n in z.namelist() if n.endswith("/" + name)]
        return z.read(hit[0])
    cache = os.path.join(REPO_ROOT, "data", "multilingual", ".cache", "iu")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, name)
    if not os.path.exists(path):
        print(f"downloading {RAW}/{name}")
        with urllib.request.urlopen(f"{RAW}/{name}", timeout=120) as resp:
            data = resp.read()
        with open(path, "wb") as fh:
            fh.write(data)
    with open(path, "rb") as fh:
        return fh.read()


def rows(src: str | None):
    for name in FILES:
        domain = name.split("_")[0]  # wiki | news
        for r in read_frame(load(src, name)):
            human = str(r["author"]) == "human"
            lang = str(r["language"])
            variant = "human" if human else str(r["source"])  # generated_base, rephrase_expert, ...
            yield {
                "text": str(r["text"]),
                "label": 0 if human else 1,
                "language": lang,
                "source": "iu_hai_corpus",
                "generator": "human" if human else "gpt-3.5-turbo",
                "domain": f"{domain}:{r['category']}",
                "group": f"iu-{domain}-{r['title_en']}",
                "license": "no license stated (Wikipedia/news text; not redistributed)",
                "url": f"{REPO}/blob/{COMMIT}/{name}",
                "variant": variant,
                "title": str(r["title_language"]),
            }


def main() -> None:
    save("iu_hai_corpus", rows(sys.argv[1] if len(sys.argv) > 1 else None))


if __name__ == "__main__":
    main()
