"""num2words (Debian python3-num2words) answers for the C# EnglishNumberWords tests.

stdin: JSON list of [kind, value] with kind cardinal|ordinal (value: decimal string), float (value: float
string) or USD|GBP|EUR (value: float string). stdout: JSON list of answers, null where num2words raises.
"""
import json
import sys

from num2words import num2words


def answer(kind, value):
    try:
        if kind == "cardinal":
            return num2words(int(value), lang="en")
        if kind == "ordinal":
            return num2words(int(value), ordinal=True, lang="en")
        if kind == "float":
            return num2words(float(value), lang="en")
        return num2words(float(value), to="currency", currency=kind, lang="en")
    except Exception:
        return None


print(json.dumps([answer(k, v) for k, v in json.load(sys.stdin)]))
