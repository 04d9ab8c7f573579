"""Golden tests for pack validation: every mistake is one readable line with file, line and hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.loader import BUILTIN_PACKS, PolicyError, PolicyProblem, check_policies, load_pack
from policies.schema import OverrideError, PolicyPack

VALID = """\
name: mine
version: 1
flag_thresholds:
  sextortion: 0.7
  image_request: 0.7
  grooming: 0.7
  victim_disclosure: 0.6
risk:
  weights: {sextortion: 1.0, image_request: 0.5, grooming: 0.6, victim_disclosure: 0.0}
policies:
  - id: threat
    when:
      scores:
        - label: sextortion
          min_score: 0.8
    effects:
      - warn_recipient
      - {kind: escalate, severity: high}
"""


def write(tmp_path: Path, text: str | bytes, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str | bytes) -> list[str]:
    path = write(tmp_path, text)
    return [str(p).replace(str(path), "pack.yaml") for p in check_policies(path)]


def test_valid_pack_loads_from_a_path(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, VALID))
    assert isinstance(pack, PolicyPack)
    assert pack.version == "1"
    assert pack.policy("threat").effects[1].severity.name == "HIGH"
    assert check_policies(tmp_path) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "min_score: 0.8",
            "min_scor: 0.8",
            "pack.yaml:15: policies[0].when.scores[0].min_scor: unknown key 'min_scor' "
            "(hint: did you mean 'min_score'?)",
        ),
        (
            "label: sextortion",
            "label: sextorsion",
            "pack.yaml:14: policies[0].when.scores[0].label: unknown label 'sextorsion' "
            "(hint: did you mean 'sextortion'?)",
        ),
        (
            "- warn_recipient",
            "- warn_recipent",
            "pack.yaml:17: policies[0].effects[0].kind: unknown effect 'warn_recipent' "
            "(hint: did you mean 'warn_recipient'?)",
        ),
        (
            "- warn_recipient",
            "- lift_timeout",
            "pack.yaml:17: policies[0].effects[0].kind: 'lift_timeout' is not an effect a policy "
            "can choose (hint: the bot does it itself when a moderator dismisses a case)",
        ),
        (
            "severity: high",
            "severity: hihg",
            "pack.yaml:18: policies[0].effects[1].severity: unknown severity 'hihg' "
            "(hint: did you mean 'high'?)",
        ),
        (
            "min_score: 0.8",
            "min_score: 1.5",
            "pack.yaml:15: policies[0].when.scores[0].min_score: 1.5 is above the maximum 1.0 "
            "(hint: scores and thresholds are between 0 and 1)",
        ),
        (
            "  grooming: 0.7",
            "  grooming: -0.1",
            "pack.yaml:6: flag_thresholds.grooming: -0.1 is below the minimum 0.0 "
            "(hint: scores and thresholds are between 0 and 1)",
        ),
        (
            "min_score: 0.8",
            "min_score: high",
            "pack.yaml:15: policies[0].when.scores[0].min_score: 'high' is not a number "
            "(hint: write a number such as 0.8, without quotes)",
        ),
        (
            "  sextortion: 0.7",
            "  sextortoin: 0.7",
            "pack.yaml:4: flag_thresholds.sextortoin: unknown label 'sextortoin' "
            "(hint: did you mean 'sextortion'?)",
        ),
        (
            "    when:",
            "    shadow: maybe\n    when:",
            "pack.yaml:12: policies[0].shadow: 'maybe' is not true or false "
            "(hint: write true or false)",
        ),
        (
            "{kind: escalate, severity: high}",
            "{kind: escalate}",
            "pack.yaml:18: policies[0].effects[1]: escalate needs a severity "
            "(hint: add 'severity: low', 'medium', 'high' or 'critical')",
        ),
        (
            "- warn_recipient",
            "- {kind: timeout_sender, duration: 3 days}",
            "pack.yaml:17: policies[0].effects[0].duration: cannot read '3 days' as a duration "
            "(hint: write seconds or a number with s, m, h, d or w: '10m', '1h', '7d')",
        ),
        (
            "- warn_recipient",
            "- {kind: timeout_sender, duration: 60d}",
            "pack.yaml:17: policies[0].effects[0].duration: '60d' is longer than a timeout can be "
            "(hint: a timeout lasts at most 28 days ('28d'))",
        ),
        (
            "- warn_recipient",
            "- timeout_sender",
            "pack.yaml:17: policies[0].effects[0]: timeout_sender needs a duration "
            "(hint: add e.g. 'duration: 1h')",
        ),
        (
            "  - id: threat",
            "  - id: Threat Policy!",
            "pack.yaml:11: policies[0].id: policy id 'Threat Policy!' "
            "is not a short lower-case name "
            "(hint: use letters, digits, '-', '_' or '.', e.g. 'sextortion-clear')",
        ),
        (
            "  victim_disclosure: 0.6\n",
            "",
            "pack.yaml:3: flag_thresholds: flag_thresholds is missing victim_disclosure "
            "(hint: give every label a value, e.g. 'victim_disclosure: 0.6')",
        ),
        (
            "name: mine\n",
            "",
            "pack.yaml:1: name: missing required key 'name' (hint: add 'name: ...')",
        ),
        (
            "name: mine",
            "name: mine\nname: yours",
            "pack.yaml:2: name: duplicate key (first at line 1) (hint: remove one of them)",
        ),
        ("risk:", "risks:", "pack.yaml:8: risks: unknown key 'risks' (hint: did you mean 'risk'?)"),
        (
            "    when:",
            "    when:\n      campaign_senders_min: 1",
            "pack.yaml:13: policies[0].when.campaign_senders_min: 1 is below the minimum 2 "
            "(hint: a campaign by several accounts needs at least 2 of them)",
        ),
        (
            "    when:",
            "    when:\n      campaign_size_min: 1",
            "pack.yaml:13: policies[0].when.campaign_size_min: 1 is below the minimum 2 "
            "(hint: a campaign is the same text in at least 2 conversations)",
        ),
        (
            "name: mine",
            "name: mine\ncampaign_window: 3d",
            "pack.yaml:2: campaign_window: a campaign window of 72 hours is longer than "
            "fingerprints are kept (hint: use at most '48h')",
        ),
    ],
)
def test_one_mistake_is_one_readable_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in VALID
    assert problems_of(tmp_path, VALID.replace(old, new, 1)) == [expected]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "- warn_recipient",
            "- ban_sender",
            "pack.yaml:11: policies[0]: policy 'threat' bans automatically "
            "but the pack does not allow "
            "automatic bans",
        ),
        (
            "label: sextortion",
            "label: victim_disclosure",
            "pack.yaml:11: policies[0]: "
            "a victim disclosure must never be punished (delete_message)",
        ),
        (
            "      scores:\n        - label: sextortion\n          min_score: 0.8\n",
            "      private: true\n",
            "policies[0].when: a policy needs at least one trigger",
        ),
        (
            "policies:\n",
            "policies:\n  - id: threat\n    when: {sender_risk_min: 0.5}\n"
            "    effects: [warn_recipient]\n",
            "pack.yaml:14: policies[1].id: policy id 'threat' is used twice",
        ),
        (
            "    effects:\n      - warn_recipient\n      - {kind: escalate, severity: high}\n",
            "    effects: []\n",
            "policies[0].effects: Tuple should have at least 1 item",
        ),
    ],
)
def test_rules_across_fields(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = VALID.replace(old, new, 1)
    if "victim disclosure" in expected:
        text = text.replace("- warn_recipient", "- delete_message", 1)
    found = problems_of(tmp_path, text)
    assert len(found) == 1, found
    assert expected in found[0]
    assert "(hint: " in found[0]


def test_problem_text_without_line_or_key() -> None:
    assert str(PolicyProblem("a.yaml", None, "", "no such file")) == "a.yaml: no such file"
    assert (
        str(PolicyProblem("a.yaml", 3, "name", "bad", "fix it"))
        == "a.yaml:3: name: bad (hint: fix it)"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "pack.yaml: the file is empty"),
        ("# only a comment\n", "pack.yaml: the file is empty"),
        (b"\x00\x01\x02binary", "pack.yaml: this is a binary file, not YAML text"),
        (b"name: caf\xe9\n", "pack.yaml:1: the file is not valid UTF-8 text"),
        ("name: x\n  bad: [\n", "pack.yaml:2: YAML error: mapping values are not allowed here"),
        ("name:\tx\n\tversion: 1\n", "pack.yaml:1: YAML error:"),
        ("policies: [\n", "pack.yaml:2: YAML error:"),
        ("- a\n- b\n", "pack.yaml:1: a policy pack must be a mapping of keys to values"),
        ("just text\n", "pack.yaml:1: a policy pack must be a mapping of keys to values"),
        ("a: 1\n---\nb: 2\n", "pack.yaml:2: YAML error:"),
        ("name: !!python/object:os.system x\n", "pack.yaml:1: YAML error:"),
    ],
)
def test_unreadable_files_are_problems_not_tracebacks(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    found = problems_of(tmp_path, content)
    assert len(found) == 1, found
    assert found[0].startswith(expected)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    rows = ["a: &a [1,1,1,1,1,1,1,1,1,1]"]
    for prev, name in zip("abcd", "bcde", strict=True):
        rows.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    found = problems_of(tmp_path, "\n".join(rows) + "\n")
    assert found == [
        "pack.yaml: the pack is too large once YAML aliases are expanded "
        "(hint: write the policies out instead of nesting aliases)"
    ]


def test_many_mistakes_are_all_reported(tmp_path: Path) -> None:
    text = (
        VALID.replace("min_score: 0.8", "min_scor: 0.8")
        .replace("severity: high", "severity: hihg")
        .replace("  grooming: 0.7", "  grooming: 7")
    )
    found = problems_of(tmp_path, text)
    assert [line.split(":")[1] for line in found] == ["6", "15", "18"]


def test_directory_check_reports_each_file(tmp_path: Path) -> None:
    write(tmp_path, VALID, "good.yaml")
    write(tmp_path, "", "empty.yaml")
    write(tmp_path, VALID.replace("risk:", "risks:"), "typo.yml")
    write(tmp_path, "not a pack", "notes.txt")
    found = [str(p) for p in check_policies(tmp_path)]
    assert len(found) == 2
    assert found[0].startswith(str(tmp_path / "empty.yaml"))
    assert found[1].startswith(str(tmp_path / "typo.yml") + ":8: risks: unknown key")


def test_missing_paths_and_empty_directories(tmp_path: Path) -> None:
    assert [str(p) for p in check_policies(tmp_path)] == [
        f"{tmp_path}: no policy files here (hint: policy packs are files ending in .yaml)"
    ]
    assert [p.message for p in check_policies(tmp_path / "nope.yaml")] == ["no such file"]


def test_load_pack_raises_one_error_listing_every_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path, VALID.replace("min_score: 0.8", "min_scor: 0.8").replace("risk:", "risks:")
    )
    with pytest.raises(PolicyError) as caught:
        load_pack(path)
    assert len(caught.value.problems) == 2
    first, second = str(caught.value).splitlines()
    assert first.startswith(f"{path}:8: risks: unknown key 'risks'")
    assert second.startswith(f"{path}:15: policies[0].when.scores[0].min_scor: unknown key")


def test_unknown_pack_name_suggests_a_builtin() -> None:
    with pytest.raises(PolicyError, match=r"did you mean 'teen'\?"):
        load_pack("teens")
    with pytest.raises(PolicyError, match="no such file"):
        load_pack("missing/pack.yaml")


def test_builtin_names_load_by_name_and_are_cached() -> None:
    for name in BUILTIN_PACKS:
        assert load_pack(name).name == name
        assert load_pack(name) is load_pack(name)


def test_overrides_change_thresholds_and_are_validated() -> None:
    pack = load_pack("default")
    custom = pack.with_overrides(
        flag_thresholds={"grooming": 0.55},
        min_scores={"sextortion-clear": {"sextortion": 0.9}},
        disabled=["sender-risk-high"],
        shadow=["grooming-pattern"],
        risk={"conversation_half_life": "12h"},
    )
    assert custom.flag_thresholds["grooming"] == 0.55
    assert custom.flag_thresholds["sextortion"] == pack.flag_thresholds["sextortion"]
    assert custom.policy("sextortion-clear").when.scores[0].min_score == 0.9
    assert custom.policy("grooming-pattern").shadow
    assert custom.risk.conversation_half_life == 12 * 3600
    with pytest.raises(KeyError):
        custom.policy("sender-risk-high")
    assert pack.flag_thresholds["grooming"] == 0.98  # the original is untouched

    with pytest.raises(
        OverrideError,
        match=r"unknown policy 'sextortion-clr' \(hint: did you mean 'sextortion-clear'\?\)",
    ):
        pack.with_overrides(disabled=["sextortion-clr"])
    with pytest.raises(
        OverrideError, match=r"flag_thresholds\.grooming: 2\.0 is above the maximum 1\.0"
    ):
        pack.with_overrides(flag_thresholds={"grooming": 2.0})
    with pytest.raises(OverrideError, match="unknown label"):
        pack.with_overrides(flag_thresholds={"groming": 0.5})
    with pytest.raises(OverrideError, match="no score condition for 'grooming'"):
        pack.with_overrides(min_scores={"sextortion-clear": {"grooming": 0.5}})


def test_huge_deep_and_odd_files_are_problems(tmp_path: Path) -> None:
    huge = problems_of(tmp_path, "name: x\ndescription: " + "a" * 1_100_000 + "\n")
    assert huge == ["pack.yaml: file is too large for a policy pack (hint: keep it under 1024 KiB)"]
    deep = problems_of(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert deep == ["pack.yaml: the YAML is nested too deeply"]
    odd_key = problems_of(tmp_path, VALID + "7: x\n")
    assert odd_key == [
        "pack.yaml:19: 7: key 7 is not a name "
        "(hint: keys are words such as 'name' or 'policies'; quote them if needed)"
    ]


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "\ufeff".encode() + VALID.encode()) == []
