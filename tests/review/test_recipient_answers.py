"""What the people warned answered ("this was fine"), as moderators see it in the review UI."""

from __future__ import annotations

import re

import httpx

from moderation_bot.pipeline import Pipeline
from moderation_bot.storage import Store
from tests.review.helpers import act, open_case, person, sign_in


async def test_the_case_page_shows_the_answer_and_the_case_stays_open(
        web: httpx.AsyncClient, service: Pipeline, store: Store) -> None:
    case_id = await open_case(service)
    await sign_in(web, store)
    before = await web.get(f"/review/cases/{case_id}")
    assert "Nobody has answered a warning on this case." in before.text

    assert await service.record_recipient_feedback("test", "c1", case_id, person("teen"))
    page = await web.get(f"/review/cases/{case_id}")
    assert page.status_code == 200
    assert "<strong>Teen</strong> said the warning was fine." in page.text
    assert "their word, not a decision" in page.text
    assert re.search(r'<strong class="action">recipient said fine</strong> by Teen '
                     r'<span class="muted">\(test:id-teen\)</span>', page.text)
    assert "<strong>open</strong>" in page.text  # nothing was decided for the moderators


async def test_statistics_count_the_answers_per_policy_beside_dismissals(
        web: httpx.AsyncClient, service: Pipeline, store: Store) -> None:
    case_id = await open_case(service)
    await sign_in(web, store)
    assert await service.record_recipient_feedback("test", "c1", case_id, person("teen"))
    report = await service.case_report("test", "c1", case_id)
    assert report is not None
    policy = report.policies[0]

    page = await web.get("/review/stats", params={"days": "7"})
    assert page.status_code == 200
    assert 'Warned people who said "fine"' in page.text
    row = re.search(rf"<tr><td><code>{policy}</code></td>(.*?)</tr>", page.text)
    assert row is not None
    assert row.group(1) == "<td>0</td><td>0</td><td>-</td><td>1</td>"
    assert page.text.count('<svg class="chart"') == 1  # nothing decided or acted on yet

    await act(web, case_id, "dismiss")
    page = await web.get("/review/stats", params={"days": "7"})
    row = re.search(rf"<tr><td><code>{policy}</code></td>(.*?)</tr>", page.text)
    assert row is not None
    assert row.group(1) == "<td>1</td><td>1</td><td>100%</td><td>1</td>"
    assert page.text.count('<svg class="chart"') == 3
