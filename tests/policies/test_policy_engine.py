"""Decisions of the pure engine over the built-in packs: table-driven, no I/O."""

from __future__ import annotations

import pytest

from moderation_bot.core.types import (
    Classification,
    CommunitySettings,
    Decision,
    EffectKind,
    IncomingMessage,
    RiskState,
    Severity,
)
from policies.engine import PackPolicyEngine, check_overrides, evaluate, flag
from policies.loader import load_pack
from policies.risk import advance
from policies.schema import PUNITIVE_KINDS
from tests.policies.builders import community, msg, person, scores, state

W, A, S = EffectKind.WARN_RECIPIENT, EffectKind.SEND_ADVICE, EffectKind.SUPPORT_VICTIM
E, D, T, B = (
    EffectKind.ESCALATE,
    EffectKind.DELETE_MESSAGE,
    EffectKind.TIMEOUT_SENDER,
    EffectKind.BAN_SENDER,
)


def decide(
    pack: str,
    classification: Classification,
    message: IncomingMessage | None = None,
    risk: RiskState | None = None,
    settings: CommunitySettings | None = None,
) -> Decision:
    return evaluate(
        load_pack(pack),
        settings or community(pack),
        message or msg(),
        classification,
        risk or RiskState(),
    )


def summary(decision: Decision) -> set[tuple[str, str, str | None]]:
    """(kind, policy, target name) for each live effect."""
    return {(e.kind.value, e.policy, e.target.name if e.target else None) for e in decision.effects}


HOT = {
    "conversation_risk": 0.9,
    "sender_risk": 0.9,
    "signals": frozenset({"grooming", "image_request", "sextortion"}),
}
KINDS = {"warn": W, "advice": A, "support": S, "escalate": E, "delete": D, "timeout": T}


def row(
    pack: str,
    given: dict[str, float],
    expected: dict[str, str],
    *,
    case: str,
    risk: dict[str, object] | None = None,
    **message: object,
) -> object:
    """One table row: ``expected`` maps each policy that acts to the effects it keeps after
    de-duplication, e.g. ``{"sextortion-clear": "warn advice delete escalate"}``."""
    return pytest.param(pack, given, message, risk or {}, expected, id=f"{pack}-{case}")


# fmt: off
CASES = [
    # default: general communities
    row("default", {}, {}, case="harmless"),
    row("default", {"grooming": 0.55}, {}, case="one-ambiguous-line"),
    row("default", {"sextortion": 0.92}, {"sextortion-clear": "warn advice delete escalate"},
        case="clear-sextortion"),
    row("default", {"sextortion": 0.55}, {"sextortion-possible": "warn advice escalate"},
        case="weak-sextortion-warns-and-keeps-the-message"),
    row("default", {"image_request": 0.9}, {"image-request-clear": "warn advice escalate"},
        case="clear-image-request"),
    row("default", {"image_request": 0.6},
        {"image-request-to-minor": "warn advice delete escalate"},
        recipient_is_minor=True, case="image-request-to-a-minor"),
    row("default", {"grooming": 0.985}, {"grooming-clear": "warn advice escalate"},
        case="clear-grooming"),
    row("default", {"grooming": 0.9}, {}, case="grooming-below-the-top-adds-up-through-risk"),
    row("default", {"image_request": 0.6}, {"grooming-pattern": "warn advice escalate"},
        risk={"conversation_risk": 0.65, "signals": frozenset({"grooming", "image_request"})},
        case="signs-add-up"),
    row("default", {"grooming": 0.45}, {"sender-risk-high": "escalate"},
        risk={"sender_risk": 0.85}, case="sender-risky-across-the-community"),
    row("default", {"image_request": 0.7},
        {"new-account-image-request": "warn advice escalate"},
        private=True, sender_account_age_s=3600.0, case="new-account-asks-in-private"),
    row("default", {"image_request": 0.7}, {}, private=True,
        sender_account_age_s=90 * 86400.0, case="old-account-asks-in-private"),
    row("default", {"image_request": 0.7}, {}, private=True, case="unknown-account-age"),
    row("default", {"sextortion": 0.6},
        {"sextortion-campaign": "warn advice delete timeout escalate"},
        risk={"campaign_size": 3}, case="campaign"),
    row("default", {"sextortion": 0.6},
        {"sextortion-campaign-accounts": "warn advice delete timeout escalate"},
        risk={"campaign_senders": 3}, case="campaign-by-several-accounts"),
    row("default", {"sextortion": 0.6}, {"sextortion-possible": "warn advice escalate"},
        risk={"campaign_senders": 2}, case="two-old-accounts-are-not-yet-a-campaign"),
    row("default", {"image_request": 0.7},
        {"new-accounts-campaign": "warn advice delete timeout escalate"},
        risk={"campaign_senders": 2}, sender_account_age_s=86400.0,
        case="new-accounts-send-the-same-request"),
    row("default", {"image_request": 0.7}, {}, risk={"campaign_senders": 2},
        sender_account_age_s=90 * 86400.0, case="old-accounts-send-the-same-request"),
    row("default", {"grooming": 0.6}, {"flagged-elsewhere": "escalate"},
        risk={"other_communities_flagged": 1}, case="flagged-elsewhere"),
    row("default", {"victim_disclosure": 0.8}, {"victim-support": "support"}, case="disclosure"),
    # teen: members under 18
    row("teen", {"sextortion": 0.9}, {"sextortion-clear": "warn advice delete timeout escalate"},
        case="clear-sextortion-deletes-and-times-out"),
    row("teen", {"sextortion": 0.5}, {"sextortion-possible": "warn advice escalate"},
        case="possible-sextortion"),
    row("teen", {"image_request": 0.85},
        {"image-request-clear": "warn advice delete timeout escalate"}, case="clear-image-request"),
    row("teen", {"image_request": 0.7}, {"image-request-possible": "warn advice escalate"},
        case="possible-image-request"),
    row("teen", {"grooming": 0.98}, {"grooming-clear": "warn advice delete escalate"},
        case="clear-grooming"),
    row("teen", {"grooming": 0.96}, {"grooming-early": "escalate"},
        case="early-grooming-sign-goes-quietly-to-moderators"),
    row("teen", {"grooming": 0.5}, {}, case="a-plain-age-question-alone"),
    row("teen", {"image_request": 0.4}, {"grooming-pattern": "warn advice escalate"},
        risk={"conversation_risk": 0.5, "signals": frozenset({"grooming", "image_request"})},
        case="signs-add-up"),
    row("teen", {"image_request": 0.4},
        {"grooming-pattern-strong": "warn advice timeout escalate"},
        risk={"conversation_risk": 0.85, "signals": frozenset({"grooming", "image_request"})},
        case="signs-add-up-strongly"),
    row("teen", {"grooming": 0.55}, {"sender-risk-high": "escalate"},
        risk={"sender_risk": 0.85}, case="sender-risky-across-the-community"),
    row("teen", {"grooming": 0.42}, {"new-account-private-contact": "warn advice escalate"},
        private=True, sender_membership_age_s=600.0, case="newcomer-in-private"),
    row("teen", {"image_request": 0.5}, {
        "campaign": "warn advice delete timeout escalate"},
        risk={"campaign_size": 2}, case="campaign"),
    row("teen", {"image_request": 0.5},
        {"campaign-accounts": "warn advice delete timeout escalate"},
        risk={"campaign_senders": 2}, case="campaign-by-several-accounts"),
    row("teen", {"grooming": 0.42}, {"flagged-elsewhere": "warn advice escalate"},
        risk={"other_communities_flagged": 2}, case="flagged-elsewhere"),
    row("teen", {"victim_disclosure": 0.5}, {"victim-support": "support"}, case="disclosure"),
    # adult-dating: 18+, flirting is normal
    row("adult-dating", {"image_request": 0.9}, {}, private=True,
        case="picture-request-between-adults"),
    row("adult-dating", {"image_request": 0.9, "grooming": 0.5}, {}, recipient_is_minor=False,
        risk={"conversation_risk": 0.4, "signals": frozenset({"grooming", "image_request"})},
        case="flirting-with-an-age-question"),
    row("adult-dating", {"image_request": 0.9}, {"minor-targeted": "warn advice delete escalate"},
        recipient_is_minor=True, case="a-minor-is-targeted"),
    row("adult-dating", {"sextortion": 0.9}, {"sextortion-clear": "warn advice delete escalate"},
        case="clear-threat"),
    row("adult-dating", {"sextortion": 0.6}, {"sextortion-possible": "warn advice escalate"},
        case="possible-threat"),
    row("adult-dating", {"grooming": 0.93}, {}, case="one-explicit-line-read-as-grooming"),
    row("adult-dating", {"grooming": 0.93}, {}, risk={
        "conversation_risk": 0.9, "signals": frozenset({"grooming", "image_request"})},
        case="a-flirty-evening"),
    row("adult-dating", {"grooming": 0.93}, {"grooming-pattern": "escalate"}, risk={
        "conversation_risk": 0.96, "signals": frozenset({"grooming", "image_request"})},
        case="grooming-persists"),
    row("adult-dating", {"grooming": 0.6}, {"minor-targeted": "warn advice delete escalate"},
        recipient_is_minor=True, case="grooming-a-minor"),
    row("adult-dating", {"sextortion": 0.45}, {"coercion-pattern": "warn advice escalate"},
        risk={"conversation_risk": 0.75, "signals": frozenset({"image_request", "sextortion"})},
        case="pressure-builds"),
    row("adult-dating", {"sextortion": 0.5},
        {"sextortion-campaign": "warn advice delete timeout escalate"},
        risk={"campaign_size": 5}, case="campaign"),
    row("adult-dating", {"sextortion": 0.6},
        {"sextortion-campaign-accounts": "warn advice delete timeout escalate"},
        risk={"campaign_senders": 3}, case="campaign-by-several-accounts"),
    row("adult-dating", {"sextortion": 0.6},
        {"new-accounts-threat-campaign": "warn advice delete timeout escalate"},
        risk={"campaign_senders": 2}, sender_account_age_s=3600.0,
        case="new-accounts-send-the-same-threat"),
    row("adult-dating", {"image_request": 0.9}, {}, risk={"campaign_senders": 4},
        sender_account_age_s=3600.0, case="new-accounts-flirting-alike"),
    row("adult-dating", {"grooming": 0.6}, {"flagged-elsewhere": "escalate"},
        risk={"other_communities_flagged": 1}, case="flagged-elsewhere"),
    row("adult-dating", {"victim_disclosure": 0.7}, {"victim-support": "support"},
        case="disclosure"),
]
# fmt: on


def expand(expected: dict[str, str]) -> set[tuple[str, str, str | None]]:
    out = set()
    for policy, kinds in expected.items():
        for word in kinds.split():
            kind = KINDS[word]
            target = "teen" if kind in (W, A) else "stranger"
            out.add((kind.value, policy, target))
    return out


@pytest.mark.parametrize(("pack", "given", "options", "risk", "expected"), CASES)
def test_decisions(
    pack: str,
    given: dict[str, float],
    options: dict[str, object],
    risk: dict[str, object],
    expected: dict[str, str],
) -> None:
    decision = decide(pack, scores(**given), msg(**options), risk=state(**risk))  # type: ignore[arg-type]
    assert summary(decision) == expand(expected)
    assert decision.shadow_effects == ()


def test_every_builtin_policy_has_a_table_row() -> None:
    covered = {(p.values[0], policy) for p in CASES for policy in p.values[4]}  # type: ignore[attr-defined]
    for name in ("default", "teen", "adult-dating"):
        for policy in load_pack(name).policies:
            assert (name, policy.id) in covered, f"{name}: {policy.id} has no row in CASES"


def test_effects_record_policy_scores_and_topic() -> None:
    decision = decide("default", scores(sextortion=0.92))
    by_kind = {e.kind: e for e in decision.effects}
    assert by_kind[E].severity is Severity.CRITICAL
    assert dict(by_kind[E].scores) == {"sextortion": 0.92}
    assert by_kind[W].advice_topic == "sextortion"
    assert by_kind[A].advice_topic == "sextortion"
    assert decision.flagged and decision.labels == ("sextortion",)
    assert decision.opens_case and decision.severity is Severity.CRITICAL


def test_same_inputs_same_decision() -> None:
    args = (
        load_pack("teen"),
        community("teen"),
        msg(),
        scores(sextortion=0.9, grooming=0.6),
        RiskState(conversation_risk=0.5, signals=frozenset({"grooming", "image_request"})),
    )
    assert evaluate(*args) == evaluate(*args)


def test_one_warning_per_recipient_and_never_to_the_sender() -> None:
    message = msg(to=("amy", "ben", "amy", "stranger"))
    decision = decide("default", scores(sextortion=0.92), message)
    warned = [e.target.name for e in decision.effects if e.kind is W and e.target]
    assert warned == ["amy", "ben"]


def test_no_recipients_means_no_warnings_but_moderators_still_hear() -> None:
    decision = decide("default", scores(sextortion=0.92), msg(to=()))
    assert {e.kind for e in decision.effects} == {D, E}


def test_highest_severity_wins_when_policies_overlap() -> None:
    # teen: grooming-early (medium) and grooming-pattern (high) both escalate this message.
    risk = RiskState(conversation_risk=0.6, signals=frozenset({"grooming", "image_request"}))
    decision = decide("teen", scores(grooming=0.6), risk=risk)
    escalations = [e for e in decision.effects if e.kind is E]
    assert len(escalations) == 1
    assert (escalations[0].policy, escalations[0].severity) == ("grooming-pattern", Severity.HIGH)
    assert dict(escalations[0].scores) == {
        "grooming": 0.6,
        "conversation_risk": 0.6,
        "distinct_signals": 2.0,
    }
    assert escalations[0].advice_topic == "grooming"


def test_grooming_over_several_messages_is_escalated_when_signs_add_up() -> None:
    """Age probe, then secrecy, then a picture request: no single line is conclusive."""
    pack = load_pack("default")
    conversation = [scores(grooming=0.55), scores(grooming=0.6), scores(image_request=0.6)]
    current, escalated_at = RiskState(), []
    for i, classification in enumerate(conversation, start=1):
        current = advance(
            current,
            classification,
            seconds_since_conversation=None if i == 1 else 120,
            seconds_since_sender=None if i == 1 else 120,
            params=pack.risk,
        )
        decision = evaluate(pack, community(), msg(), classification, current)
        if decision.opens_case:
            escalated_at.append((i, tuple(e.policy for e in decision.effects if e.kind is E)))
    assert escalated_at == [(3, ("grooming-pattern",))]


def test_the_same_ambiguous_line_repeated_is_not_escalated() -> None:
    pack = load_pack("default")
    current = RiskState()
    for _ in range(6):
        current = advance(
            current,
            scores(grooming=0.55),
            seconds_since_conversation=120,
            seconds_since_sender=120,
            params=pack.risk,
        )
        assert not evaluate(pack, community(), msg(), scores(grooming=0.55), current).effects


@pytest.mark.parametrize("pack", ["default", "teen", "adult-dating"])
def test_a_victim_disclosure_gets_support_and_never_punishment(pack: str) -> None:
    # Someone quoting the threat made against them can score high on the threat too.
    risk = RiskState(
        conversation_risk=0.95,
        sender_risk=0.95,
        signals=frozenset({"grooming", "image_request", "sextortion"}),
    )
    for given in (
        {"victim_disclosure": 0.9},
        {"victim_disclosure": 0.9, "sextortion": 0.95, "image_request": 0.9},
    ):
        decision = decide(
            pack,
            scores(**given),
            msg(to=("friend",)),
            risk=risk,
            settings=community(pack, has_minors=True),
        )
        assert summary(decision) == {("support_victim", "victim-support", "stranger")}
        support = decision.effects[0]
        assert support.advice_topic == "victim_disclosure"
        assert not decision.opens_case
        assert not any(e.kind in PUNITIVE_KINDS for e in decision.shadow_effects)


def test_community_shadow_mode_records_without_acting() -> None:
    live = decide("default", scores(sextortion=0.92))
    shadow = decide("default", scores(sextortion=0.92), settings=community(shadow=True))
    assert shadow.effects == ()
    assert shadow.shadow_effects == live.effects
    assert shadow.flagged


def test_a_shadow_policy_records_without_acting() -> None:
    pack = load_pack("default").with_overrides(shadow=["sextortion-clear"])
    decision = evaluate(pack, community(), msg(), scores(sextortion=0.92), RiskState())
    assert {(e.kind, e.policy) for e in decision.shadow_effects} == {
        (W, "sextortion-clear"),
        (A, "sextortion-clear"),
        (D, "sextortion-clear"),
        (E, "sextortion-clear"),
    }
    assert {(e.kind, e.policy) for e in decision.effects} == {
        (W, "sextortion-possible"),
        (A, "sextortion-possible"),
        (E, "sextortion-possible"),
    }


def test_a_ban_is_never_automatic_in_builtin_packs() -> None:
    risk = RiskState(
        conversation_risk=1.0,
        sender_risk=1.0,
        signals=frozenset({"grooming", "image_request", "sextortion"}),
    )
    for pack in ("default", "teen", "adult-dating"):
        decision = decide(
            pack,
            scores(sextortion=1.0, image_request=1.0, grooming=1.0),
            msg(
                private=True,
                recipient_is_minor=True,
                sender_account_age_s=1.0,
                sender_membership_age_s=1.0,
            ),
            risk=risk,
        )
        assert B not in {e.kind for e in decision.effects}
        assert decision.severity is Severity.CRITICAL


def test_campaign_warns_every_recipient_and_times_out() -> None:
    risk = state(campaign_size=4)
    decision = decide("default", scores(sextortion=0.6), msg(to=("amy", "ben")), risk=risk)
    assert ("timeout_sender", "sextortion-campaign", "stranger") in summary(decision)
    assert {e.target.name for e in decision.effects if e.kind is W and e.target} == {"amy", "ben"}
    timeout = next(e for e in decision.effects if e.kind is T)
    assert timeout.duration_s == 86400 and timeout.scores["campaign_size"] == 4.0


def test_a_campaign_policy_warns_everyone_the_campaign_reached() -> None:
    reached = (person("amy"), person("teen"), person("stranger"), person("ben"))
    risk = state(campaign_senders=3, campaign_recipients=reached)
    decision = decide("default", scores(sextortion=0.6), risk=risk)
    for kind in (W, A):
        targets = [e.target.name for e in decision.effects if e.kind is kind and e.target]
        assert targets == ["teen", "amy", "ben"]  # each once, never the sender
    assert {e.policy for e in decision.effects} == {"sextortion-campaign-accounts"}
    escalation = next(e for e in decision.effects if e.kind is E)
    assert escalation.scores["campaign_senders"] == 3.0


def test_a_policy_not_about_a_campaign_warns_only_the_messages_recipients() -> None:
    risk = state(campaign_recipients=(person("amy"),))
    decision = decide("default", scores(sextortion=0.92), risk=risk)
    assert {e.target.name for e in decision.effects if e.kind is W and e.target} == {"teen"}


def test_sender_flagged_in_other_communities_is_escalated() -> None:
    decision = decide("default", scores(grooming=0.6), risk=state(other_communities_flagged=1))
    assert ("escalate", "flagged-elsewhere", "stranger") in summary(decision)


def test_flag_orders_labels_by_score() -> None:
    pack = load_pack("default")
    assert flag(pack, scores(grooming=0.985, sextortion=0.99, image_request=0.2)) == (
        True,
        ("sextortion", "grooming"),
    )
    assert flag(pack, scores()) == (False, ())
    assert flag(pack, scores(sextortion=0.5)) == (True, ("sextortion",))  # at the threshold


def test_pack_engine_picks_the_pack_and_falls_back_visibly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    custom = load_pack("default").with_overrides(disabled=["sextortion-possible"])
    engine = PackPolicyEngine({"ours": custom})
    assert engine.resolve_pack("teen").name == "teen"
    assert engine.resolve_pack("ours") is custom
    assert engine.resolve_pack("no-such-pack").name == "default"
    assert "unknown policy pack" in caplog.text
    assert "ours" in engine.pack_names and "adult-dating" in engine.pack_names

    teen = engine.evaluate(community("teen"), msg(), scores(sextortion=0.9), RiskState())
    assert T in {e.kind for e in teen.effects}
    fallback = engine.evaluate(
        community("no-such-pack"), msg(), scores(sextortion=0.9), RiskState()
    )
    assert T not in {e.kind for e in fallback.effects}
    assert (
        engine.evaluate(community("ours"), msg(), scores(sextortion=0.6), RiskState()).effects == ()
    )


def test_sender_is_never_a_recipient_target() -> None:
    message = msg(sender="amy", to=("amy",))
    decision = decide("default", scores(sextortion=0.92), message)
    assert all(e.target == person("amy") for e in decision.effects)
    assert {e.kind for e in decision.effects} == {D, E}


def test_pack_engine_applies_a_communitys_overrides_and_ignores_bad_ones(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = PackPolicyEngine()
    overrides = {"disabled": ["sextortion-possible"], "flag_thresholds": {"sextortion": 0.5}}
    pack = engine.resolve_pack("default", overrides)
    assert pack is engine.resolve_pack("default", dict(overrides))  # cached
    assert pack.flag_thresholds["sextortion"] == 0.5
    decision = evaluate(pack, community(), msg(), scores(sextortion=0.6), RiskState())
    assert decision.flagged and decision.effects == ()

    assert engine.resolve_pack("default", {"disabled": ["no-such"]}) is engine.resolve_pack(
        "default"
    )
    assert "ignoring overrides" in caplog.text


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"disabled": ["grooming-clear"]}, None),
        ({"disabled": ["groming-clear"]}, "did you mean 'grooming-clear'?"),
        ({"disabled": "grooming-clear"}, "disabled must be a list of policy ids"),
        ({"flag_threshold": {"grooming": 0.5}}, "did you mean 'flag_thresholds'?"),
        ({"flag_thresholds": {"grooming": 1.5}}, "1.5 is above the maximum 1.0"),
        ({"flag_thresholds": ["grooming"]}, "wrong shape"),
        ({"min_scores": {"grooming-clear": 0.5}}, "wrong shape"),
        ({"risk": {"conversation_half_life": "forever"}}, "cannot read 'forever' as a duration"),
    ],
)
def test_check_overrides_explains_what_does_not_fit(
    overrides: dict[str, object], problem: str | None
) -> None:
    found = check_overrides(load_pack("default"), overrides)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
