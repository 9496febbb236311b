"""Trains a tiny SentencePiece unigram model with T5's special ids and encodes strings with it.

stdin: JSON {"folder": out dir, "byte_fallback": bool, "texts": [...]}; writes folder/spiece.model and prints the
python sentencepiece ids of each text (JSON list of lists).
"""
import json
import os
import sys

import sentencepiece as spm

CORPUS = [
    "The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs!",
    "pop, rock, electronic, female vocals, 120 bpm, energetic, synthesizer, guitar, drums",
    "Café, naïve, résumé, jalapeño, Straße, smörgåsbord, façade, crème brûlée, Ångström",
    "音乐 流行 摇滚 电子 女声 男声 钢琴 吉他 鼓 节奏 快乐 悲伤 日本語 の 歌 韓国語 노래 음악",
    "hip hop, trap, lo-fi, jazz, blues, country, metal, punk, soul, funk, r&b, k-pop, j-pop, edm",
    "tempo 90, key of C minor, 4/4 time, acoustic, ambient, cinematic, orchestral, choir, strings",
    "Привет мир, музыка, песня. Γειά σου κόσμε. مرحبا بالعالم. नमस्ते दुनिया",
    "fullwidth ＡＢＣ１２３ and ligature ﬁ and circled ① and tabs\tand  double  spaces",
]


def main():
    request = json.load(sys.stdin)
    folder = request["folder"]
    corpus_path = os.path.join(folder, "corpus.txt")
    with open(corpus_path, "w", encoding="utf-8") as f:
        for _ in range(20):
            f.write("\n".join(CORPUS) + "\n")
    spm.SentencePieceTrainer.train(
        input=corpus_path, model_prefix=os.path.join(folder, "spiece"), model_type="unigram", vocab_size=600 if request["byte_fallback"] else 200, hard_vocab_limit=False,
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, character_coverage=0.9995, byte_fallback=request["byte_fallback"],
        minloglevel=2)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(folder, "spiece.model"))
    print(json.dumps([sp.encode(t) for t in request["texts"]]))


main()
