"""End to end (issue 23): the encoding picker in a real browser in both languages, and a labelling-tool
export fine-tuned for NER from the page with entity F1 shown.

Screenshots go to ``$EMBEDLAB_SHOTS`` when it is set (to look at them), else to the test's folder.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from screenshot import wait_idle

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases"
TEXT = {
    "en": {"upload": "Upload a file", "question": "cannot tell how", "read_as": "Read the file as cp949",
           "chosen": "as you chose", "ft_upload": "Upload my files", "ner": "Named entities (NER)", "epochs": "Epochs",
           "train": "Train", "more": "More settings", "patience": "Early-stopping patience", "warmup": "Warmup share"},
    "zh": {"upload": "上传文件", "question": "无法确定", "read_as": "按 cp949 读取文件", "chosen": "按你的选择",
           "ft_upload": "上传我的文件", "ner": "命名实体识别（NER）", "epochs": "训练轮数", "train": "开始训练"},
}


@pytest.fixture
def tall_page(page):
    """A viewport tall enough for the whole data section (Streamlit scrolls inside its own container)."""
    page.set_viewport_size({"width": 1400, "height": 1600})
    return page


def _shot(page, tmp_path, name: str) -> None:
    folder = Path(os.environ.get("EMBEDLAB_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def _main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_word2vec_page_asks_for_the_encoding_and_reads_the_pick(app_url, tall_page, tmp_path, language):
    page = tall_page
    words = TEXT[language]
    upload = tmp_path / "names_ko.txt"
    upload.write_bytes("김민준\n".encode("cp949"))  # three syllables: too little text to tell
    page.goto(f"{app_url}/train_word2vec?lang={language}")
    wait_idle(page, timeout_s=180)
    page.locator("label").filter(has_text=words["upload"]).first.click()
    wait_idle(page, timeout_s=120)
    page.locator("input[type='file']").first.set_input_files(str(upload))
    page.wait_for_function(f"() => document.body.innerText.includes({words['question']!r})", timeout=120_000)
    wait_idle(page, timeout_s=120)
    text = _main_text(page)
    assert "cp949" in text and "김민준" in text  # the right reading is shown beside the others
    assert page.locator("[data-testid='stException']").count() == 0
    _shot(page, tmp_path, f"encoding_picker_{language}.png")
    page.locator("label").filter(has_text="cp949").first.click()
    wait_idle(page, timeout_s=60)
    page.get_by_role("button", name=words["read_as"]).click()
    page.wait_for_function(f"() => document.body.innerText.includes({words['chosen']!r})", timeout=120_000)
    wait_idle(page, timeout_s=120)
    text = _main_text(page)
    assert words["question"] not in text and "cp949" in text and "김민준" in text
    _shot(page, tmp_path, f"encoding_chosen_{language}.png")


@pytest.mark.parametrize("name", ["doccano_ner.jsonl", "labelstudio_ner.json"])
def test_a_labelling_tool_export_fine_tunes_for_ner_on_the_page(app_url, app_runs, tall_page, tmp_path, name):
    """The export read on the page, a 2-layer model typed into the model picker, trained with the CLI test's
    settings (tests/cases/test_reading_set2.py): it learns the entities, and the report shows entity F1.
    """
    import core.jobs as jobs
    from tests.finetune.helpers import make_tiny_model

    page = tall_page
    model = make_tiny_model(tmp_path / "tiny")
    words = TEXT["en"]
    page.goto(f"{app_url}/finetune?lang=en")
    wait_idle(page, timeout_s=180)
    page.locator("label").filter(has_text=words["ner"]).click()
    wait_idle(page, timeout_s=180)
    page.locator("label").filter(has_text=words["ft_upload"]).click()
    wait_idle(page, timeout_s=120)
    page.locator("input[type='file']").first.set_input_files(str(CASES / "labelling-exports" / name))
    page.wait_for_function("() => document.body.innerText.includes('Sentences')", timeout=180_000)
    wait_idle(page, timeout_s=180)
    assert "export" in _main_text(page)  # the reading report names the tool's format
    picker = page.get_by_role("combobox", name="Pretrained model (name or local folder)")
    picker.click()
    picker.fill(str(model))
    picker.press("Enter")
    wait_idle(page, timeout_s=120)
    for label, value in (("Max length (tokens)", "48"), (words["epochs"], "12"), ("Batch size", "8"),
                         ("Learning rate", "0.005")):
        box = page.get_by_role("spinbutton", name=label)
        box.fill(value)
        box.press("Enter")
        wait_idle(page, timeout_s=120)
    page.get_by_text(words["more"]).first.click()  # the advanced settings: no early stop, no warm-up (as the CLI test)
    wait_idle(page, timeout_s=60)
    for label in (words["patience"], words["warmup"]):
        box = page.get_by_role("spinbutton", name=label)
        box.fill("0")
        box.press("Enter")
        wait_idle(page, timeout_s=120)
    before = {r["id"] for r in jobs.list_runs("finetune", runs_root=app_runs)}
    page.get_by_test_id("stBaseButton-primary").filter(has_text=words["train"]).click()
    deadline, run_id = time.time() + 400, None
    while time.time() < deadline:
        new = [r for r in jobs.list_runs("finetune", runs_root=app_runs) if r["id"] not in before]
        if new and new[0]["state"] in ("done", "failed", "cancelled"):
            run_id = new[0]["id"]
            break
        time.sleep(2)
    assert run_id is not None, "the run did not finish in 400 s"
    status = jobs.get_status(run_id, runs_root=app_runs)
    assert status["state"] == "done", status.get("error")
    summary = jobs.list_runs("finetune", runs_root=app_runs)[0]["summary"]
    assert set(summary) == {"f1", "precision", "recall"}  # entity-level scores of the export's held-out sentences
    assert summary["f1"] > 0.3, summary  # it learned entities (a 2-layer model trained for seconds)
    page.goto(f"{app_url}/finetune?lang=en&run={run_id}")  # the finished run's report
    page.wait_for_function("() => document.body.innerText.includes('Entity F1')", timeout=180_000)
    wait_idle(page, timeout_s=180)
    page.get_by_text("Entity F1").first.scroll_into_view_if_needed()
    _shot(page, tmp_path, f"finetune_{name.split('.')[0]}.png")
