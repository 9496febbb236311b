"""Reference lyric ids in Python for the C# LyricTokenizer tests.

Input (stdin): JSON {"vocab": path, "lyrics": [str, ...]}. Output: JSON list of id lists.
English cleaning written with Python's re and the num2words package (Debian python3-num2words), the way
ACE-Step's lyric tokenizer cleans a line; BPE written independently of the C# code (all occurrences of the
best-ranked pair are merged per round, which gives the same result as rank-then-position order).
"""
import json
import re
import sys
import unicodedata

from num2words import num2words

START, SPACE, STOP = 261, 2, 0


def spell_currency(match, currency):
    amount = float(re.sub(r"[^\d.]", "", match.group(0).replace(",", ".")))
    words = num2words(amount, to="currency", currency=currency, lang="en")
    if amount.is_integer() and ", " in words:
        words = words[: words.rfind(", ")]
    return words


def spell_numbers(text):
    text = re.sub(r"\b\d{1,3}(,\d{3})*(\.\d+)?\b", lambda m: m.group(0).replace(",", ""), text)
    try:
        for currency, pattern in (
            ("GBP", r"((£[0-9\.\,]*[0-9]+)|([0-9\.\,]*[0-9]+£))"),
            ("USD", r"((\$[0-9\.\,]*[0-9]+)|([0-9\.\,]*[0-9]+\$))"),
            ("EUR", r"(([0-9\.\,]*[0-9]+€)|((€[0-9\.\,]*[0-9]+)))"),
        ):
            text = re.sub(pattern, lambda m, c=currency: spell_currency(m, c), text)
    except Exception:
        pass
    text = re.sub(r"([0-9]+[.,][0-9]+)", lambda m: num2words(float(m.group(1).replace(",", ".")), lang="en"), text)
    text = re.sub(r"([0-9]+)(st|nd|rd|th)", lambda m: num2words(int(m.group(1)), ordinal=True, lang="en"), text)
    return re.sub(r"[0-9]+", lambda m: num2words(int(m.group(0)), lang="en"), text)


ABBREVIATIONS = [("mrs", "misess"), ("mr", "mister"), ("dr", "doctor"), ("st", "saint"), ("co", "company"),
                 ("jr", "junior"), ("maj", "major"), ("gen", "general"), ("drs", "doctors"), ("rev", "reverend"),
                 ("lt", "lieutenant"), ("hon", "honorable"), ("sgt", "sergeant"), ("capt", "captain"),
                 ("esq", "esquire"), ("ltd", "limited"), ("col", "colonel"), ("ft", "fort")]
SYMBOLS = [("&", " and "), ("@", " at "), ("%", " percent "), ("#", " hash "), ("$", " dollar "),
           ("£", " pound "), ("°", " degree ")]


def clean_english(text):
    text = text.replace('"', "").lower()
    try:
        text = spell_numbers(text)
    except Exception:
        pass
    for short, long in ABBREVIATIONS:
        text = re.sub(r"\b%s\." % short, long, text, flags=re.IGNORECASE)
    for symbol, word in SYMBOLS:
        text = text.replace(symbol, word).replace("  ", " ")
    return re.sub(r"\s+", " ", text.strip())


def is_word_char(c):
    # Oniguruma's Unicode \w, which the tokenizers library's Whitespace pre-tokenizer uses (Python's \w lacks marks).
    category = unicodedata.category(c)
    return category[0] in "LMN" or category == "Pc"


def whitespace_split(text):
    pieces, current, kind = [], "", None
    for c in text:
        k = "space" if c.isspace() else ("word" if is_word_char(c) else "other")
        if k != kind and current:
            if kind != "space":
                pieces.append(current)
            current = ""
        current, kind = current + c, k
    if current and kind != "space":
        pieces.append(current)
    return pieces


class Bpe:
    def __init__(self, path):
        spec = json.load(open(path, encoding="utf-8"))
        self.vocab = spec["model"]["vocab"]
        self.ranks = {}
        for rank, merge in enumerate(spec["model"]["merges"]):
            self.ranks.setdefault(tuple(merge.split(" ", 1)), rank)
        self.added = sorted(((t["content"], t["id"]) for t in spec["added_tokens"]), key=lambda t: -len(t[0]))
        self.unk = self.vocab[spec["model"]["unk_token"]]

    def word(self, word):
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b)), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            pairs = [p for p in pairs if p[0] is not None]
            if not pairs:
                break
            best = min(pairs)[0]
            merged, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and self.ranks.get((parts[i], parts[i + 1])) == best:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return [self.vocab.get(p, self.unk) for p in parts]

    def encode(self, text):
        ids, pending, i = [], "", 0
        while i < len(text):
            token = next(((c, t) for c, t in self.added if text.startswith(c, i)), None)
            if token is None:
                pending += text[i]
                i += 1
                continue
            for w in whitespace_split(pending):
                ids += self.word(w)
            ids.append(token[1])
            pending, i = "", i + len(token[0])
        for w in whitespace_split(pending):
            ids += self.word(w)
        return ids


def encode_lyrics(bpe, lyrics):
    lyrics = lyrics.strip()
    if not lyrics or re.search(r"write a .* song that genre is", lyrics):
        return [STOP]
    ids = [START]
    for line in lyrics.split("\n"):
        line = line.strip()
        if not line:
            ids.append(SPACE)
            continue
        ids += bpe.encode(("[en]" + clean_english(line)).replace(" ", "[SPACE]")) + [SPACE]
    return ids[:4096]


if __name__ == "__main__":
    request = json.load(sys.stdin)
    bpe = Bpe(request["vocab"])
    if request.get("clean_only"):
        print(json.dumps([clean_english(t) for t in request["lyrics"]], ensure_ascii=False))
    else:
        print(json.dumps([encode_lyrics(bpe, t) for t in request["lyrics"]]))
