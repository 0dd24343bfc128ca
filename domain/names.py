"""Name and kana normalization for searching, so that variant spellings still match.

Search keys fold what a clerk would consider "the same name": IVS selectors dropped,
common 異体字 folded to their standard form (髙→高, 﨑→崎, 邉/邊→辺 …), spaces removed;
kana keys fold hiragana/katakana, half/full width, small kana and long vowels.
The stored name itself is never changed: only the key used to find it.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_SPACES = re.compile(r"[\s\u3000・･]+")

# A starting set; the full MJ縮退マップ belongs in catalog/ (resident-register issue).
VARIANT_FOLDS: dict[str, str] = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "邉": "辺",
    "邊": "辺",
    "齋": "斉",
    "齊": "斉",
    "斎": "斉",
    "澤": "沢",
    "濱": "浜",
    "濵": "浜",
    "櫻": "桜",
    "廣": "広",
    "國": "国",
    "會": "会",
    "德": "徳",
    "惠": "恵",
    "眞": "真",
    "瀨": "瀬",
    "冨": "富",
    "籠": "篭",
    "曾": "曽",
    "實": "実",
    "壽": "寿",
    "條": "条",
    "龍": "竜",
    "淵": "渕",
    "萬": "万",
    "藏": "蔵",
    "彌": "弥",
}
_FOLD_TABLE = str.maketrans(VARIANT_FOLDS)

_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_VU_FOLDS = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ"))


def strip_variation_selectors(text: str) -> str:
    return _VARIATION_SELECTORS.sub("", text)


def name_key(name: str) -> str:
    """Search key for a name in kanji (or Latin letters for foreign residents)."""
    text = unicodedata.normalize("NFKC", strip_variation_selectors(name))
    text = _SPACES.sub("", text).translate(_FOLD_TABLE)
    return text.casefold()


_VOWEL_ROWS = {
    "a": "アカサタナハマヤラワガザダバパ",
    "i": "イキシチニヒミリギジヂビピ",
    "u": "ウクスツヌフムユルグズヅブプ",
    "e": "エケセテネヘメレゲゼデベペ",
    "o": "オコソトノホモヨロヲゴゾドボポ",
}
_VOWEL_OF = {ch: vowel for vowel, row in _VOWEL_ROWS.items() for ch in row}
# Kana that only lengthen the vowel before them: ユウコ = ユーコ = ユコ, オオノ = オーノ,
# ケイコ = ケーコ. Folding them costs a little precision and finds every spelling.
_LENGTHENERS = {"a": "ア", "i": "イ", "u": "ウ", "e": "イエ", "o": "ウオ"}


def _fold_long_vowels(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in "ー-":
            continue
        previous = _VOWEL_OF.get(out[-1]) if out else None
        if previous is not None and ch in _LENGTHENERS[previous]:
            continue
        out.append(ch)
    return "".join(out)


def kana_key(kana: str) -> str:
    """Search key for a フリガナ: katakana, full width, no small kana, long vowels folded."""
    text = unicodedata.normalize("NFKC", kana)  # half-width katakana -> full width
    text = jaconv.hira2kata(_SPACES.sub("", text))
    for src, dst in _VU_FOLDS:
        text = text.replace(src, dst)
    return _fold_long_vowels(text.translate(_SMALL_KANA))
