# The reference for src/core/eval/tokenize.ts: NLTK 3.8's word_tokenize(text, preserve_line=True),
# i.e. NLTKWordTokenizer without Punkt sentence splitting. Reads one JSON string per stdin line and
# prints the token list of each as one JSON line (ASCII-escaped, so the line split is unambiguous).
import json
import sys

from nltk.tokenize import word_tokenize

sys.stdin.reconfigure(encoding="utf-8", newline="\n")
for line in sys.stdin:
    line = line.rstrip("\n")
    print(json.dumps(word_tokenize(json.loads(line), preserve_line=True)))
