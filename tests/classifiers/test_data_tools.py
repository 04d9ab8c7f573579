"""Generators, labelling rules and splits: deterministic, labelled, and split by group."""

from __future__ import annotations

import random

import pytest

from classifiers.dataset import split_of
from classifiers.generators import FAMILIES, generate
from classifiers.labelling import SEXUAL, label_decoy_line, label_offender_line
from classifiers.normalize import normalize
from classifiers.obfuscate import OBFUSCATIONS, obfuscate
from moderation_bot.core.types import LABELS


def test_every_label_has_families_in_every_split() -> None:
    for label in LABELS:
        splits = {f.split for f in FAMILIES if label in f.labels}
        assert splits == {"train", "dev", "test"}, label
    assert {f.split for f in FAMILIES if not f.labels} == {"train", "dev", "test"}


def test_family_names_are_unique_and_labels_known() -> None:
    assert len({f.name for f in FAMILIES}) == len(FAMILIES)
    assert all(set(f.labels) <= set(LABELS) for f in FAMILIES)


def test_generation_is_deterministic_and_varied() -> None:
    family = FAMILIES[0]
    first = generate(family, 30, random.Random(1))
    again = generate(family, 30, random.Random(1))
    assert [g.text for g in first] == [g.text for g in again]
    assert len({g.text for g in first}) == 30
    assert all(g.labels == family.labels and g.split == family.split for g in first)


def test_split_is_stable_per_group() -> None:
    assert split_of("chitchat:abc") == split_of("chitchat:abc")
    counts = {"train": 0, "dev": 0, "test": 0}
    for i in range(2000):
        counts[split_of(f"group{i}")] += 1
    assert 0.6 < counts["train"] / 2000 < 0.8
    assert counts["dev"] > 150 and counts["test"] > 150


def test_offender_line_rules() -> None:
    assert "image_request" in (
        label_offender_line(normalize("send me a pic of you in your bra")) or ()
    )
    assert "grooming" in (label_offender_line(normalize("dont tell your mom we talk")) or ())
    assert label_offender_line(normalize("lol ok")) == ()
    assert label_offender_line(normalize("how old are you")) is None  # ambiguous: left out
    assert label_offender_line(normalize("send me a pic of the menu")) is None


@pytest.mark.parametrize(
    "line", ["u got any more pics?", "any new pics?", "do you have a cam?", "wish u had a cam"]
)
def test_asking_whether_the_person_has_pictures_is_an_image_request(line: str) -> None:
    assert "image_request" in (label_offender_line(normalize(line)) or ())


@pytest.mark.parametrize(
    "line", ["i'll send you a pic tonight", "i can take pics of you at the game"]
)
def test_the_writer_offering_pictures_is_not_an_image_request(line: str) -> None:
    assert "image_request" not in (label_offender_line(normalize(line)) or ())


def test_grooming_families_without_sexual_words_stay_so() -> None:
    """The v3 grooming families teach grooming moves that carry no sexual word."""
    names = {"gr_age_school", "gr_trust", "gr_parents_dont_get", "gr_hide", "gr_presents"}
    names |= {"gr_move_app", "gr_location", "gr_relationship", "gr_normalise", "gr_guilt"}
    names |= {"gr_late_night"}
    families = [f for f in FAMILIES if f.name in names]
    assert len(families) == len(names)
    rng = random.Random(2)
    for family in families:
        for _ in range(40):
            assert not SEXUAL.search(normalize(family.make(rng))), family.name


def test_decoy_lines_are_never_positive() -> None:
    assert label_decoy_line("im 13 lol") == ()
    assert label_decoy_line("he asked about sex") is None


def test_every_obfuscation_survives_normalisation() -> None:
    text = "send me your pics or i post the video"
    for name, fn in OBFUSCATIONS.items():
        out = fn(text, random.Random(3))
        assert normalize(out), name
    assert normalize(obfuscate(text, random.Random(5)))


def test_thresholds_respect_both_false_positive_caps() -> None:
    import numpy as np

    from classifiers.thresholds import choose_for_recall

    rng = np.random.default_rng(0)
    ordinary = rng.random((4000, len(LABELS))) * 0.6
    lookalikes = rng.random((400, len(LABELS))) * 0.9
    chosen = choose_for_recall(lookalikes, ordinary, max_ordinary_fpr=0.001,
                               max_lookalike_fpr=0.05)
    for j, label in enumerate(LABELS):
        assert (ordinary[:, j] >= chosen[label]).mean() <= 0.001
        assert (lookalikes[:, j] >= chosen[label]).mean() <= 0.05
        # the lowest such threshold: one step lower breaks a cap
        lower = chosen[label] - 0.01
        assert ((ordinary[:, j] >= lower).mean() > 0.001
                or (lookalikes[:, j] >= lower).mean() > 0.05)


def test_compositional_families_train_only_with_many_structures() -> None:
    """The compositional families feed training only (held-out numbers stay honest) and vary
    their structure: many distinct openings, not one template's."""
    compositional = [f for f in FAMILIES if f.make.__module__ == "classifiers.compositional"]
    assert {f.name for f in compositional} == {
        "ir_compose", "ir_groom_compose", "gr_compose", "hn_compose"
    }
    for family in compositional:
        assert family.split == "train" and family.weight > 1
        texts = [family.make(random.Random(seed)) for seed in range(300)]
        openings = {" ".join(t.split()[:2]) for t in texts}
        assert len(openings) > 60, family.name


def test_benign_compositional_mirror_has_no_sexual_words() -> None:
    family = next(f for f in FAMILIES if f.name == "hn_compose")
    rng = random.Random(4)
    for _ in range(300):
        assert not SEXUAL.search(normalize(family.make(rng)))
