"""The review UI's security promises, over HTTP against the real pipeline and store."""

from __future__ import annotations

import hashlib

import httpx

from moderation_bot.core.types import CaseStatus
from moderation_bot.pipeline import Pipeline
from moderation_bot.review import issue_signin_link
from moderation_bot.storage import Store
from tests.review.helpers import (
    THREAT,
    Clock,
    act,
    csrf_of,
    mounted,
    open_case,
    person,
    sign_in,
)


async def test_without_a_session_every_page_asks_to_sign_in(
        web: httpx.AsyncClient, service: Pipeline) -> None:
    case_id = await open_case(service)
    for path in ("/review/", f"/review/cases/{case_id}", "/review/stats"):
        response = await web.get(path)
        assert response.status_code == 401
        assert "Sign in to review cases" in response.text
        assert "/modbot dashboard" in response.text
    response = await web.post(f"/review/cases/{case_id}/act", data={"action": "dismiss"})
    assert response.status_code == 401
    report = await service.case_report("test", "c1", case_id)
    assert report is not None and report.status is CaseStatus.OPEN


async def test_a_bogus_session_cookie_is_no_session(web: httpx.AsyncClient) -> None:
    for value in ("x" * 43, "", "../../etc", "%C3%A9" * 10):
        web.cookies.set("modbot_review", value)
        assert (await web.get("/review/")).status_code == 401


async def test_another_communitys_case_is_not_found_even_by_guessing(
        web: httpx.AsyncClient, service: Pipeline, store: Store) -> None:
    mine = await open_case(service, community="c1")
    theirs = await open_case(service, community="c2", sender="other")
    other_platform = await open_case(service, platform="elsewhere", community="c1",
                                     sender="third")
    assert (await sign_in(web, store, community="c1")).status_code == 303
    assert (await web.get(f"/review/cases/{mine}")).status_code == 200
    for case_id in (theirs, other_platform, 987654, 2**70):
        page = await web.get(f"/review/cases/{case_id}")
        assert page.status_code == 404
        assert "Other" not in page.text
    csrf = csrf_of((await web.get(f"/review/cases/{mine}")).text)
    for suffix, data in (("act", {"action": "dismiss"}), ("export", {}), ("export.json", {})):
        response = await web.post(f"/review/cases/{theirs}/{suffix}", data={"csrf": csrf, **data})
        assert response.status_code == 404
    report = await service.case_report("test", "c2", theirs)
    assert report is not None and report.status is CaseStatus.OPEN
    queue = await web.get("/review/", params={"status": "all", "community": "c2"})
    assert f"/cases/{theirs}" not in queue.text
    assert f"/cases/{mine}" not in queue.text  # filtered to c2, which this session cannot see
    events = await store.cases.events(theirs)
    assert all(e.action != "exported" for e in events)


async def test_a_post_without_the_csrf_token_is_refused(
        web: httpx.AsyncClient, service: Pipeline, store: Store) -> None:
    case_id = await open_case(service)
    await sign_in(web, store)
    for data in ({"action": "dismiss"}, {"action": "dismiss", "csrf": "0" * 64}):
        response = await web.post(f"/review/cases/{case_id}/act", data=data)
        assert response.status_code == 403
    response = await web.post(f"/review/cases/{case_id}/act", content=b'{"action": "dismiss"}',
                              headers={"content-type": "application/json"})
    assert response.status_code == 403
    for path in (f"/review/cases/{case_id}/export", f"/review/cases/{case_id}/export.json",
                 "/review/signout"):
        assert (await web.post(path)).status_code == 403
    report = await service.case_report("test", "c1", case_id)
    assert report is not None and report.status is CaseStatus.OPEN
    assert {e.action for e in await store.cases.events(case_id)} == {"opened"}


async def test_a_form_posted_from_another_site_is_refused(
        web: httpx.AsyncClient, service: Pipeline, store: Store) -> None:
    case_id = await open_case(service)
    await sign_in(web, store)
    csrf = csrf_of((await web.get(f"/review/cases/{case_id}")).text)
    response = await web.post(f"/review/cases/{case_id}/act",
                              data={"csrf": csrf, "action": "dismiss"},
                              headers={"origin": "https://evil.example"})
    assert response.status_code == 403
    same_site = await web.post(f"/review/cases/{case_id}/act",
                               data={"csrf": csrf, "action": "dismiss"},
                               headers={"origin": "http://testserver"})
    assert same_site.status_code == 303


async def test_a_sign_in_link_works_once(web: httpx.AsyncClient, store: Store) -> None:
    link = await issue_signin_link(store, "test", "c1", person("kim"),
                                   base_url="http://testserver/review")
    path = httpx.URL(link).path
    page = await web.get(path)
    csrf = csrf_of(page.text)
    assert (await web.post(path, data={"csrf": csrf})).status_code == 303
    web.cookies.clear()
    again = await web.post(path, data={"csrf": csrf})
    assert again.status_code == 410
    assert "no longer works" in again.text
    assert "set-cookie" not in again.headers
    assert (await web.get(path)).status_code == 410
    assert (await web.get("/review/")).status_code == 401


async def test_an_expired_sign_in_link_is_refused(
        web: httpx.AsyncClient, store: Store, clock: Clock) -> None:
    link = await issue_signin_link(store, "test", "c1", person("kim"),
                                   base_url="http://testserver/review", ttl_s=60, clock=clock)
    path = httpx.URL(link).path
    csrf = csrf_of((await web.get(path)).text)
    clock.advance(61)
    assert (await web.get(path)).status_code == 410
    response = await web.post(path, data={"csrf": csrf})
    assert response.status_code == 410
    assert "set-cookie" not in response.headers


async def test_unknown_and_malformed_links_are_refused(web: httpx.AsyncClient) -> None:
    for token in ("A" * 43, "short", "%3Cscript%3E", "a" * 500):
        assert (await web.get(f"/review/signin/{token}")).status_code == 410
        assert (await web.post(f"/review/signin/{token}", data={"csrf": "x"})).status_code in (
            403, 410)


async def test_links_and_sessions_are_stored_only_as_hashes(
        web: httpx.AsyncClient, store: Store) -> None:
    link = await issue_signin_link(store, "test", "c1", person("kim"),
                                   base_url="http://testserver/review")
    token = link.rsplit("/", 1)[1]
    page = await web.get(httpx.URL(link).path)
    response = await web.post(httpx.URL(link).path, data={"csrf": csrf_of(page.text)})
    cookie = response.cookies["modbot_review"]
    rows = await store.db.fetchall("SELECT token_sha256 FROM review_signin_links")
    assert [r["token_sha256"] for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    sessions = await store.db.fetchall("SELECT session_sha256 FROM review_sessions")
    assert [r["session_sha256"] for r in sessions] == [hashlib.sha256(cookie.encode()).hexdigest()]


async def test_message_text_with_html_is_shown_escaped(
        web: httpx.AsyncClient, service: Pipeline, store: Store) -> None:
    hostile = THREAT + ' <script>alert("x")</script><img src=x onerror=alert(1)>'
    case_id = await open_case(service, hostile)
    await sign_in(web, store)
    await act(web, case_id, "reveal")
    page = (await web.get(f"/review/cases/{case_id}")).text
    assert "&lt;script&gt;alert(" in page
    assert "<script" not in page and "<img src=x" not in page
    export = await web.post(f"/review/cases/{case_id}/export", data={"csrf": csrf_of(page)})
    assert "&lt;script&gt;alert(" in export.text and "<script" not in export.text
    await act(web, case_id, "note", "<b>bold</b> note")
    page = (await web.get(f"/review/cases/{case_id}")).text
    assert "&lt;b&gt;bold&lt;/b&gt; note" in page


async def test_the_session_cookie_carries_the_right_flags(
        web: httpx.AsyncClient, store: Store) -> None:
    response = await sign_in(web, store)
    assert response.status_code == 303
    assert response.headers["location"] == "/review/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/review" in cookie
    assert "secure" not in cookie  # plain http on a local machine
    page = await web.get("/review/")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


async def test_the_cookie_is_secure_when_served_over_https(
        service: Pipeline, store: Store, clock: Clock) -> None:
    app = mounted(service, store, clock, "https://review.example/review")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="https://review.example") as client:
        link = await issue_signin_link(store, "test", "c1", person("kim"),
                                       base_url="https://review.example/review")
        path = httpx.URL(link).path
        page = await client.get(path)
        response = await client.post(path, data={"csrf": csrf_of(page.text)})
        cookie = response.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie
        assert (await client.get("/review/")).status_code == 200


async def test_signing_out_ends_the_session(web: httpx.AsyncClient, store: Store) -> None:
    await sign_in(web, store)
    page = await web.get("/review/")
    response = await web.post("/review/signout", data={"csrf": csrf_of(page.text)})
    assert response.status_code == 200 and "signed out" in response.text
    assert (await web.get("/review/")).status_code == 401


async def test_a_moderators_sign_in_data_can_be_deleted(
        web: httpx.AsyncClient, store: Store) -> None:
    from moderation_bot.storage.review_queries import (
        delete_review_community_data,
        delete_review_user_data,
    )

    await sign_in(web, store)
    assert (await web.get("/review/")).status_code == 200
    assert await delete_review_user_data(store.db, "test", "id-kim") == 2  # a link and a grant
    assert (await web.get("/review/")).status_code == 401
    await sign_in(web, store, community="c9")
    assert await delete_review_community_data(store.db, "test", "c9") == 2
    assert (await web.get("/review/")).status_code == 401
