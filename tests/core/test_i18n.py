"""The zh/en catalog is complete and every key the UI asks for exists."""
import re
from pathlib import Path

import pytest

from core.i18n import LANGUAGES, catalog, translate

ROOT = Path(__file__).resolve().parents[2]
# t("key") / t('key') with a literal key; f-string keys are checked by the pages' AppTests.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")


def test_every_message_has_every_language():
    missing = [
        (key, code)
        for key, texts in catalog().items()
        for code in LANGUAGES
        if not str(texts.get(code, "")).strip()
    ]
    assert not missing, f"messages missing a language: {missing[:20]}"


def test_format_fields_agree_between_languages():
    field = re.compile(r"{(\w+)")
    for key, texts in catalog().items():
        fields = {code: set(field.findall(texts[code])) for code in LANGUAGES}
        assert fields["en"] == fields["zh"], f"{key}: fields differ {fields}"


@pytest.mark.parametrize("path", sorted([*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]), ids=lambda p: p.name)
def test_ui_uses_only_known_keys(path):
    used = set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    unknown = sorted(used - set(catalog()))
    assert not unknown, f"{path.name} asks for keys not in locales/: {unknown}"


def test_translate_formats_and_falls_back():
    assert translate("common.device", "zh", device="cpu") == "计算设备：cpu"
    assert translate("common.device", "en", device="cpu") == "Compute device: cpu"
    assert translate("no.such.key", "zh") == "no.such.key"
