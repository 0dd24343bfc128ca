from domain.names import kana_key, name_key


def test_variant_characters_and_ivs_fold_to_the_same_key() -> None:
    assert name_key("髙橋　一郎") == name_key("高橋 一郎")
    assert name_key("山﨑") == name_key("山崎")
    assert name_key("渡邉\U000e0110") == name_key("渡辺") == name_key("渡邊")
    assert name_key("葛\U000e0103西") == name_key("葛西")
    assert name_key("齋藤") == name_key("斉藤") == name_key("齊藤")


def test_latin_names_fold_case_and_width() -> None:
    assert name_key("ＳＭＩＴＨ John") == name_key("smith john")


def test_kana_folds_script_width_small_kana_long_vowels_and_vu() -> None:
    assert kana_key("たかはし") == kana_key("ﾀｶﾊｼ") == kana_key("タカハシ")
    assert kana_key("キョウコ") == kana_key("キヨウコ")
    assert kana_key("ユーコ") == kana_key("ユウコ") == kana_key("ゆうこ")
    assert kana_key("オオノ") == kana_key("オーノ") == kana_key("オウノ")
    assert kana_key("キョウコ") == kana_key("キョーコ")
    assert kana_key("ケイコ") == kana_key("ケーコ")
    assert kana_key("サトウ") == kana_key("サトー")
    assert kana_key("タカハシ") != kana_key("タカシ")  # different names stay different
    assert kana_key("ヴィクター") == kana_key("ビクタ")
