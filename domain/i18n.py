"""What the resident's tablet says, in the resident's language, from catalog/i18n/tablet.json.

Form titles and field labels are looked up by their Japanese text; values (names,
addresses, dates) are never translated. A label without a translation shows in Japanese.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    def lang(self, code: str) -> str:
        return code if code in self.languages else DEFAULT

    def text(self, key: str, lang: str) -> str:
        entry = self.ui[key]
        return entry.get(lang) or entry[DEFAULT]

    def title(self, japanese: str, lang: str) -> str:
        return self.titles.get(japanese, {}).get(lang, japanese) if lang != DEFAULT else japanese

    def label(self, japanese: str, lang: str) -> str:
        return self.labels.get(japanese, {}).get(lang, japanese) if lang != DEFAULT else japanese


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
    for part in ("titles", "labels"):
        for key, entry in raw.get(part, {}).items():
            unknown = [lang for lang in entry if lang not in languages]
            if unknown:
                problems.append(f"{part} {key}: unknown language {', '.join(unknown)}")
    if problems:
        raise TranslationError("; ".join(problems))
    return Translations(languages, ui, raw.get("titles", {}), raw.get("labels", {}))
