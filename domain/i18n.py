"""What the resident's tablet says, in the resident's language, from catalog/i18n/tablet.json.

Form titles and field labels are looked up by their Japanese text; values (names,
addresses, dates) are never translated. A label without a translation shows in Japanese.
A value from a fixed list (性別, 続柄, 届出の種類, 本人確認書類) keeps its Japanese — it is
what prints and what the resident signs — and gets its translation beside it (a gloss).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT = "ja"


class TranslationError(ValueError):
    pass


@dataclass(frozen=True)
class Translations:
    languages: dict[str, str]  # code → its own name (日本語, English …)
    ui: dict[str, dict[str, str]]
    titles: dict[str, dict[str, str]]
    labels: dict[str, dict[str, str]]
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def lang(self, code: str) -> str:
        return code if code in self.languages else DEFAULT

    def text(self, key: str, lang: str) -> str:
        entry = self.ui[key]
        return entry.get(lang) or entry[DEFAULT]

    def title(self, japanese: str, lang: str) -> str:
        return self.titles.get(japanese, {}).get(lang, japanese) if lang != DEFAULT else japanese

    def label(self, japanese: str, lang: str) -> str:
        return self.labels.get(japanese, {}).get(lang, japanese) if lang != DEFAULT else japanese

    def gloss(self, value: str, lang: str) -> str:
        """The translation to show beside a fixed value, or "" (Japanese, a free value such
        as a name, or no translation). A visit's several move kinds (転出・世帯変更) are
        glossed part by part, or not at all."""
        if lang == DEFAULT or not value:
            return ""
        parts = [self.values.get(p, {}).get(lang, "") for p in value.split("・")]
        return "" if not all(parts) or "・".join(parts) == value else " / ".join(parts)


def parse_translations(raw: Any) -> Translations:
    if not isinstance(raw, dict) or not isinstance(raw.get("languages"), dict):
        raise TranslationError("translations: 'languages' must map codes to names")
    languages = {str(k): str(v) for k, v in raw["languages"].items()}
    if DEFAULT not in languages:
        raise TranslationError("translations: Japanese (ja) must be one of the languages")
    problems = []
    ui = raw.get("ui", {})
    for key, entry in ui.items():
        missing = [lang for lang in languages if not entry.get(lang)]
        if missing:
            problems.append(f"ui {key}: missing {', '.join(missing)}")
    for part in ("titles", "labels", "values"):
        for key, entry in raw.get(part, {}).items():
            unknown = [lang for lang in entry if lang not in languages]
            if unknown:
                problems.append(f"{part} {key}: unknown language {', '.join(unknown)}")
    if problems:
        raise TranslationError("; ".join(problems))
    return Translations(
        languages, ui, raw.get("titles", {}), raw.get("labels", {}), raw.get("values", {})
    )
