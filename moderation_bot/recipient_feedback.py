""""This was fine": what a person warned on a case answers, kept for the moderators.

A warning carries its case (``Notice.case_id``), so the person who got it can press "this was
fine". Only someone the bot warned on that case, in that community, is heard; they are heard once
per case. The answer is audited on the case (``recipient_said_fine``), shown on the case card
(``CaseReport.said_fine``), and counted per policy in the review UI's statistics.

It is their word, never a decision: the case stays as it is (someone being groomed may defend the
person grooming them; moderators decide), and nothing the bot does later changes, so a warning
about a different, more dangerous message still reaches them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from moderation_bot.core.types import CaseReport, EffectKind, UserRef
from moderation_bot.storage import Store

RECIPIENT_VERDICTS = frozenset({"fine"})
FEEDBACK_EVENT = "recipient_said_fine"
FEEDBACK_POLICY = "recipient-feedback"
"""Names the case-card update queued after an answer, as ``moderator`` names moderators' ones."""


async def record(store: Store, platform: str, community_id: str, case_id: int,
                 recipient: UserRef, verdict: str, now: datetime) -> bool:
    """Keep ``recipient``'s answer on the case and queue an update of its card. ``False`` when
    they were not warned on that case in that community (nothing is kept); ``True`` when they
    were, even if they had answered before. The caller submits the dispatcher."""
    if verdict not in RECIPIENT_VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r} (hint: one of {sorted(RECIPIENT_VERDICTS)})")
    feedback = store.feedback
    policies = await feedback.warning_policies(platform, community_id, case_id, recipient.id)
    if not policies:
        return False
    async with store.transaction():
        if await feedback.add_recipient_answer(
            case_id=case_id, platform=platform, community_id=community_id,
            recipient_id=recipient.id, verdict=verdict, policies=policies, now=now,
        ):
            await store.cases.add_event(case_id, f"{recipient.platform}:{recipient.id}",
                                        FEEDBACK_EVENT, now,
                                        data={"verdict": verdict, "policies": list(policies)})
            await store.outbox.add(
                verdict_id=None, case_id=case_id, platform=platform, community_id=community_id,
                kind=str(EffectKind.ESCALATE), policy=FEEDBACK_POLICY, target_id=None,
                payload={}, now=now,
            )
    return True


async def with_answers(store: Store, report: CaseReport) -> CaseReport:
    """``report`` with ``said_fine`` filled in from the answers kept for its case."""
    answers = await store.feedback.recipient_answers(report.case_id)
    if not answers:
        return report
    known = {person.id: person for person in report.recipients}
    said_fine = tuple(known.get(a.recipient_id, UserRef(report.platform, a.recipient_id))
                      for a in answers if a.verdict == "fine")
    return replace(report, said_fine=said_fine)
