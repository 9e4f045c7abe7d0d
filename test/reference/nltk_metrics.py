# The reference for src/core/eval/{textMetrics,strategyMetrics}.ts. Reads one JSON request per stdin
# line and prints one JSON answer per line:
#   {"op": "bleu", "hyp": [tokens], "ref": [tokens]}  -> [BLEU-1, BLEU-2, BLEU-3, BLEU-4] (NLTK corpus_bleu, method3)
#   {"op": "bleu_text", "hyp": str, "ref": str}       -> {"hyp": tokens, "ref": tokens, "bleu": [...]}, tokens by
#                                                        word_tokenize(text.lower(), preserve_line=True)
#   {"op": "text", "hyp": [tokens], "ref": [tokens]}  -> {"dist": [d1, d2, d3], "f1": f, "rouge_l": r}: the paper's
#                                                        formulas written out in a few lines
#   {"op": "f1", "gold": [ids], "pred": [ids]}        -> {"weighted", "macro", "per"}: sklearn f1_score, labels=range(8)
#   {"op": "preference", "t": 8x8 T[i][j]}           -> the 8 Bradley–Terry strengths (FORMATS.md's update written out)
#   {"op": "run", "records": [inference records]}     -> the text metrics x100 and the strategy scores of a whole file
import json
import math
import sys
import warnings
from collections import Counter

from nltk.tokenize import word_tokenize
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu
from sklearn.metrics import f1_score

warnings.filterwarnings("ignore")  # sklearn's UndefinedMetricWarning for strategies never seen: F1 is 0 there
smooth = SmoothingFunction().method3


def bleu(hyp, ref):
    return [
        corpus_bleu([[ref]], [hyp], weights=[1 / k] * k + [0] * (4 - k), smoothing_function=smooth)
        for k in range(1, 5)
    ]


def dist(tokens, n):
    grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0


def f1(hyp, ref):
    overlap = sum((Counter(hyp) & Counter(ref)).values())
    if overlap == 0:
        return 0
    p, r = overlap / len(hyp), overlap / len(ref)
    return 2 * p * r / (p + r)


def rouge_l(hyp, ref, beta=1.2):
    lcs = [[0] * (len(ref) + 1) for _ in range(len(hyp) + 1)]
    for i in range(1, len(hyp) + 1):
        for j in range(1, len(ref) + 1):
            lcs[i][j] = lcs[i - 1][j - 1] + 1 if hyp[i - 1] == ref[j - 1] else max(lcs[i - 1][j], lcs[i][j - 1])
    m = lcs[-1][-1]
    if m == 0:
        return 0
    prec, rec = m / len(hyp), m / len(ref)
    return ((1 + beta**2) * prec * rec) / (rec + beta**2 * prec)


NAMES = [
    "question",
    "restatement or paraphrasing",
    "reflection of feelings",
    "self-disclosure",
    "affirmation and reassurance",
    "providing suggestions",
    "information",
    "others",
]


def preference(t, rounds=20):
    p = [1.0] * 8
    for _ in range(rounds):
        for i in range(8):
            num = sum(t[i][j] * p[j] / (p[i] + p[j]) for j in range(8) if j != i and p[i] + p[j] > 0)
            den = sum(t[j][i] / (p[i] + p[j]) for j in range(8) if j != i and p[i] + p[j] > 0)
            if den > 0:  # a strategy never mistaken for another keeps its strength
                p[i] = num / den
        positive = [x for x in p if x > 0]
        if positive:
            g = math.exp(sum(math.log(x) for x in positive) / len(positive))
            p = [x / g for x in p]
    total = sum(p)
    return [x * 8 / total for x in p] if total > 0 else p


def run(records):
    scores = {k: [] for k in ["bleu-1", "bleu-2", "bleu-3", "bleu-4", "dist-1", "dist-2", "dist-3", "f1", "rouge-l", "length"]}
    gold, pred, errors = [], [], 0
    for r in records:
        hyp = word_tokenize(r["predict_content"].lower(), preserve_line=True)
        ref = word_tokenize(r["GT_content"].lower(), preserve_line=True)
        for k, b in enumerate(bleu(hyp, ref)):
            scores[f"bleu-{k + 1}"].append(b)
        for n in (1, 2, 3):
            scores[f"dist-{n}"].append(dist(hyp, n))
        scores["f1"].append(f1(hyp, ref))
        scores["rouge-l"].append(rouge_l(hyp, ref))
        scores["length"].append(len(hyp))
        p = r["predict_strategy"].lower() if isinstance(r["predict_strategy"], str) else None
        if p in NAMES:
            gold.append(NAMES.index(r["GT_strategy"].lower()))
            pred.append(NAMES.index(p))
        else:
            errors += 1
    text = {k: sum(v) / len(v) * (1 if k == "length" else 100) for k, v in scores.items()}
    labels = list(range(8))
    t = [[0] * 8 for _ in range(8)]
    for g, p in zip(gold, pred):
        if g != p:
            t[p][g] += 1
    prefs = preference(t)
    mean = sum(prefs) / 8
    return {
        "text": text,
        "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(gold),
        "weighted_f1": f1_score(gold, pred, labels=labels, average="weighted"),
        "macro_f1": f1_score(gold, pred, labels=labels, average="macro"),
        "per_f1": f1_score(gold, pred, labels=labels, average=None).tolist(),
        "error_ratio": errors / len(records),
        "preference": prefs,
        "p_bias": math.sqrt(sum((x - mean) ** 2 for x in prefs) / 8),
    }


def answer(q):
    if q["op"] == "bleu":
        return bleu(q["hyp"], q["ref"])
    if q["op"] == "bleu_text":
        hyp = word_tokenize(q["hyp"].lower(), preserve_line=True)
        ref = word_tokenize(q["ref"].lower(), preserve_line=True)
        return {"hyp": hyp, "ref": ref, "bleu": bleu(hyp, ref)}
    if q["op"] == "text":
        h, r = q["hyp"], q["ref"]
        return {"dist": [dist(h, n) for n in (1, 2, 3)], "f1": f1(h, r), "rouge_l": rouge_l(h, r)}
    if q["op"] == "f1":
        labels = list(range(8))
        score = lambda average: f1_score(q["gold"], q["pred"], labels=labels, average=average)
        return {"weighted": score("weighted"), "macro": score("macro"), "per": score(None).tolist()}
    if q["op"] == "preference":
        return preference(q["t"])
    if q["op"] == "run":
        return run(q["records"])
    raise ValueError(q["op"])


# importable too: scripts/bench/eval_reference.py scores whole files with these same formulas
if __name__ == "__main__":
    sys.stdin.reconfigure(encoding="utf-8", newline="\n")
    for line in sys.stdin:
        print(json.dumps(answer(json.loads(line))))
