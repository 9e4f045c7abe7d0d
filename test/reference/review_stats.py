# The reference for src/core/eval/reviewStats.ts. Reads one JSON request per stdin line and prints one
# JSON answer per line:
#   {"op": "cohen", "x": [labels], "y": [labels]}  -> sklearn.metrics.cohen_kappa_score(x, y), null for NaN
#   {"op": "sign", "win": w, "loss": l}            -> scipy.stats.binomtest(w, w + l, 0.5).pvalue (1 when w + l = 0)
import json
import math
import sys
import warnings

from scipy.stats import binomtest
from sklearn.metrics import cohen_kappa_score

warnings.filterwarnings("ignore")  # sklearn warns (and answers NaN) when kappa is not measurable

for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "cohen":
        k = float(cohen_kappa_score(req["x"], req["y"]))
        print(json.dumps(None if math.isnan(k) else k))
    elif req["op"] == "sign":
        n = req["win"] + req["loss"]
        print(json.dumps(1.0 if n == 0 else float(binomtest(req["win"], n, 0.5).pvalue)))
    else:
        raise ValueError(req["op"])
    sys.stdout.flush()
