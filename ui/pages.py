"""The app's pages, in menu order: one list that the router (app.py) and the home page both read.

Each entry: the page script, the url path (its file name), the menu icon, and
whether it is the default page. Its menu title is ``t("nav.<name>")`` and its
line on the home page ``t("home.<name>")``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str  # file name under app_pages/ and url path
    icon: str  # a Material icon shown in the menu and on the home page
    default: bool = False
    teacher: bool = False  # only the teacher of a class sees it in the menu and on the home page

    @property
    def path(self) -> str:
        return f"app_pages/{self.name}.py"


PAGES = (
    Page("home", ":material/home:", default=True),
    Page("input_layer", ":material/layers:"),
    Page("positional", ":material/waves:"),
    Page("train_word2vec", ":material/model_training:"),
    Page("explorer", ":material/scatter_plot:"),
    Page("finetune", ":material/tune:"),
    Page("pretrain", ":material/neurology:"),
    Page("classroom", ":material/school:", teacher=True),
)


def shown(page: Page, teacher: bool) -> bool:
    """Whether ``page`` appears in the menu and on the home page (teacher pages: only for the teacher)."""
    return teacher or not page.teacher
