# The reference for src/core/eval/{textMetrics,strategyMetrics}.ts. Reads one JSON request per stdin
# line and prints one JSON answer per line:
#   {"op": "bleu", "hyp": [tokens], "ref": [tokens]}  -> [BLEU-1, BLEU-2, BLEU-3, BLEU-4] (NLTK corpus_bleu, method3)
#   {"op": "bleu_text", "hyp": str, "ref": str}       -> {"hyp": tokens, "ref": tokens, "bleu": [...]}, tokens by
#                                                        word_tokenize(text.lower(), preserve_line=True)
#   {"op": "text", "hyp": [tokens], "ref": [tokens]}  -> {"dist": [d1, d2, d3], "f1": f, "rouge_l": r}: the paper's
#                                                        formulas written out in a few lines
#   {"op": "f1", "gold": [ids], "pred": [ids]}        -> {"weighted", "macro", "per"}: sklearn f1_score, labels=range(8)
import json
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
    raise ValueError(q["op"])


sys.stdin.reconfigure(encoding="utf-8", newline="\n")
for line in sys.stdin:
    print(json.dumps(answer(json.loads(line))))
