"""What stops a fine-tune before it starts (core.finetune.readiness): the codes the page's Train button is disabled by."""
from core.finetune.readiness import blockers


def codes(task: str, summary: dict, **kwargs) -> set[str]:
    kwargs = {"max_length": 128, "positions": 512, **kwargs}
    return {b["code"] for b in blockers(task, summary, **kwargs)}


def test_a_classifier_with_one_label_is_blocked_and_names_it():
    (found,) = blockers("classification", {"n": 50, "label_counts": {"pos": 50}}, max_length=128, positions=512)
    assert found == {"code": "one_class", "label": "pos"}
    assert codes("classification", {"n": 50, "label_counts": {"pos": 25, "neg": 25}}) == set()


def test_a_tagger_is_not_asked_for_two_classes():
    """NER's counts are per entity type: a file of one type (only PER) still trains B-PER, I-PER and O."""
    assert codes("ner", {"n": 50, "label_counts": {"PER": 80}}) == set()


def test_too_few_examples_and_inputs_past_the_positions():
    assert codes("classification", {"n": 2, "label_counts": {"a": 1, "b": 1}}) == {"few_examples"}
    assert codes("classification", {"n": 3, "label_counts": {"a": 2, "b": 1}}, held_out=1) == set()
    assert codes("ner", {"n": 10, "label_counts": {"PER": 3}}, max_length=600, positions=512) == {"past_positions"}
    assert codes("ner", {"n": 10, "label_counts": {"PER": 3}}, max_length=600, positions=None) == set()
