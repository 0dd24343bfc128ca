"""A resident as the register knows them (items named after the national standard)."""

from __future__ import annotations

from dataclasses import dataclass

SEX_LABELS = {"1": "男", "2": "女", "9": "適用不能"}
# Whom the counter serves: residents, and people whose 転入 the previous municipality has
# announced (転出証明書情報, 特例転入) and who come to record it.
MOVING_IN = "転入予定"
ACTIVE_STATUSES = ("住民", MOVING_IN)


@dataclass
class ResidentRecord:
    atena_no: str  # 宛名番号
    household_no: str  # 世帯番号
    juminhyo_code: str  # 住民票コード (11 digits, last is a check digit)
    name: str  # 氏名 (MJ+: may hold IVS and PUA code points)
    kana: str  # 氏名_フリガナ
    birth_date: str  # 生年月日, ISO; 00 for 不詳
    sex: str  # 性別 1/2/9
    relationship: str  # 続柄
    head_name: str  # 世帯主氏名
    postal_code: str  # 郵便番号, 7 digits
    address: str  # 町字 + 番地号表記
    katagaki: str = ""  # 方書
    resident_type: str = "日本人"  # 住民種別
    status: str = "住民"  # 住民状態
    tsusho: str = ""  # 通称
    kyuuji: str = ""  # 旧氏
    romaji: str = ""  # 氏名_外国人ローマ字
    nationality: str = ""  # 国籍等
    zairyu_shikaku: str = ""  # 在留資格等
    zairyu_expiry: str = ""  # 在留期間の満了の日
    became_resident_on: str = ""  # 住民となった年月日
    idou_jiyu: str = ""  # 異動事由 of the last change
    idou_on: str = ""  # 異動年月日
    previous_address: str = ""  # 転入前住所

    @property
    def full_address(self) -> str:
        return f"{self.address} {self.katagaki}".strip()
