# The paper's metric code as FORMATS.md ("Metrics the paper reports") defines it, written plainly, as a
# researcher scores inference files: NLTK tokens, NLTK BLEU, the Dist/F1/ROUGE-L formulas, sklearn's
# f1_score and the Bradley-Terry preference. `npm run bench:eval` times it against `esc eval` and checks
# that both give the same numbers, so it prints exactly the shape `esc eval --json` prints.
#
#   python3 scripts/bench/eval_reference.py <inference file>... [--timing]
#
# --timing writes the milliseconds spent scoring (after the imports) to stderr as {"ms": ...}.
# The formulas (BLEU, Dist, F1, ROUGE-L, the preference) are test/reference/nltk_metrics.py's, the ones
# the differential tests hold esc eval to.
import json
import math
import os
import sys
import time
import warnings

from nltk.tokenize import word_tokenize
from sklearn.metrics import f1_score

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "reference"))
from nltk_metrics import bleu, dist, f1, preference, rouge_l  # noqa: E402

warnings.filterwarnings("ignore")  # sklearn's UndefinedMetricWarning for a strategy never seen: its F1 is 0

STRATEGIES = [
    "Question",
    "Restatement or Paraphrasing",
    "Reflection of feelings",
    "Self-disclosure",
    "Affirmation and Reassurance",
    "Providing Suggestions",
    "Information",
    "Others",
]
LOWER = [s.lower() for s in STRATEGIES]
TEXT_METRICS = ["bleu-1", "bleu-2", "bleu-3", "bleu-4", "dist-1", "dist-2", "dist-3", "f1", "rouge-l", "length"]


def tokens(text):
    # word_tokenize without Punkt (not available offline): NLTKWordTokenizer on the whole string
    return word_tokenize(text.lower(), preserve_line=True)


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def strategy_id(label):
    return LOWER.index(label.lower()) if isinstance(label, str) and label.lower() in LOWER else -1


def evaluate(path):
    records = load(path)
    scores = {m: [] for m in TEXT_METRICS}
    gold, pred, errors = [], [], 0
    for r in records:
        hyp, ref = tokens(r["predict_content"]), tokens(r["GT_content"])
        for k, b in enumerate(bleu(hyp, ref), start=1):
            scores[f"bleu-{k}"].append(b)
        for n in (1, 2, 3):
            scores[f"dist-{n}"].append(dist(hyp, n))
        scores["f1"].append(f1(hyp, ref))
        scores["rouge-l"].append(rouge_l(hyp, ref))
        scores["length"].append(len(hyp))
        p = strategy_id(r["predict_strategy"])
        if p < 0:
            errors += 1
        else:
            gold.append(strategy_id(r["GT_strategy"]))
            pred.append(p)
    text = {m: sum(v) / len(v) * (1 if m == "length" else 100) for m, v in scores.items()}

    labels = list(range(8))
    per_f1 = f1_score(gold, pred, labels=labels, average=None).tolist()
    confusion = [[0] * 8 for _ in range(8)]
    for g, p in zip(gold, pred):
        confusion[g][p] += 1
    t = [[confusion[j][i] if i != j else 0 for j in range(8)] for i in range(8)]
    prefs = preference(t)
    mean = sum(prefs) / 8
    return {
        "file": path,
        "records": len(records),
        "text": text,
        "strategy": {
            "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else 0,
            "weighted_f1": f1_score(gold, pred, labels=labels, average="weighted"),
            "macro_f1": f1_score(gold, pred, labels=labels, average="macro"),
            "p_bias": math.sqrt(sum((x - mean) ** 2 for x in prefs) / 8),
            "error_ratio": errors / len(records),
            "per_strategy": {s: {"f1": per_f1[i], "preference": prefs[i]} for i, s in enumerate(STRATEGIES)},
            "confusion": {g: {p: confusion[i][j] for j, p in enumerate(STRATEGIES)} for i, g in enumerate(STRATEGIES)},
        },
    }


if __name__ == "__main__":
    files = [a for a in sys.argv[1:] if a != "--timing"]
    start = time.perf_counter()
    runs = [evaluate(f) for f in files]
    ms = (time.perf_counter() - start) * 1000
    print(json.dumps({"runs": runs}, indent=2))
    if "--timing" in sys.argv:
        print(json.dumps({"ms": ms}), file=sys.stderr)
