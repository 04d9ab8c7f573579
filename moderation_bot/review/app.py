"""The moderators' review web UI: a Starlette app of server-rendered pages, no JavaScript.

Mounted by the composition root at ``/review`` (every URL here is built from ``root_path``).
A moderator signs in with a one-time link from the bot (see :mod:`moderation_bot.review.signin`),
works through the queue, claims a case, reads it, reveals the evidence when ready, and decides.
Every decision goes through ``Pipeline.resolve`` (audited, platform effects dispatched) and every
export through ``Pipeline.export_case``. A session sees only the communities it was granted: any
other case is "not found", whatever id is typed.

Pages: ``GET /`` queue, ``GET /cases/{id}``, ``POST /cases/{id}/act`` (claim, confirm_timeout,
confirm_ban, dismiss, reopen, reveal, hide, note), ``POST /cases/{id}/export`` (printable page),
``POST /cases/{id}/export.json`` (the file), ``GET /stats``, ``GET|POST /signin/{token}``,
``POST /signout``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from moderation_bot.clock import utcnow
from moderation_bot.core.types import LABELS, CaseStatus, ModeratorAction, Severity
from moderation_bot.logs import fields
from moderation_bot.review import charts, formatting, signin
from moderation_bot.review import stats as statistics
from moderation_bot.review.signin import Grant, Session
from moderation_bot.storage import Store
from moderation_bot.storage import review_queries as rq
from moderation_bot.text import clean_text

if TYPE_CHECKING:
    from moderation_bot.pipeline import Pipeline

log = logging.getLogger(__name__)

COOKIE_NAME = "modbot_review"
CLAIM_LOCK = timedelta(minutes=30)
"""How long a claim keeps other moderators from deciding the case."""
REVEAL_WINDOW = timedelta(minutes=15)
"""How long evidence stays visible to a moderator after their (audited) reveal."""
MAX_FORM_BYTES = 32_000
MAX_NOTE_CHARS = 2_000
_MAX_CASE_ID = 2**63 - 1
_STATS_PERIODS = (7, 30, 90)
_ACTIONS = frozenset({"note", "reveal", "hide", "claim", "confirm_timeout", "confirm_ban",
                      "dismiss", "reopen"})

_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on POSTs.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

FLASH_CODES = frozenset({
    "claimed", "held", "confirm_timeout", "confirm_ban", "dismiss", "reopen", "not_reopened",
    "closed", "already_open", "reveal", "hide", "note", "empty_note",
})
"""What an action's redirect may report; the words are in ``templates/flash.html``."""


class SignInRequired(Exception):
    """The request has no live session."""


@dataclass(frozen=True, slots=True)
class Viewer:
    session: Session
    csrf: str


class ReviewApp:
    """Request handlers over the pipeline and the store; see :func:`build_review_app`."""

    def __init__(self, service: Pipeline, store: Store, *, secret: bytes, base_url: str,
                 clock: Callable[[], datetime]) -> None:
        if len(secret) < 16:
            raise ValueError("the review UI secret must be at least 16 bytes")
        self._service = service
        self._store = store
        self._secret = secret
        self._secure = base_url.lower().startswith("https://")
        self._clock = clock
        self._templates = jinja2.Environment(
            loader=jinja2.PackageLoader("moderation_bot.review", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self._templates.filters.update(
            duration=formatting.duration, when=formatting.when, iso=formatting.iso,
            label=formatting.label_name,
        )

    def starlette(self) -> Starlette:
        routes = [
            Route("/", self.queue, methods=["GET"], name="queue"),
            Route("/cases/{case_id:int}", self.case, methods=["GET"], name="case"),
            Route("/cases/{case_id:int}/act", self.act, methods=["POST"], name="act"),
            Route("/cases/{case_id:int}/export", self.export_page, methods=["POST"]),
            Route("/cases/{case_id:int}/export.json", self.export_json, methods=["POST"]),
            Route("/stats", self.stats, methods=["GET"], name="stats"),
            Route("/signin/{token}", self.signin_page, methods=["GET"]),
            Route("/signin/{token}", self.signin, methods=["POST"]),
            Route("/signout", self.signout, methods=["POST"]),
            Mount("/static", StaticFiles(packages=[("moderation_bot.review", "static")]),
                  name="static"),
        ]
        return Starlette(routes=routes, exception_handlers={
            SignInRequired: self._signin_needed, HTTPException: self._http_error,
        })

    # -- rendering and request plumbing ----------------------------------------------------

    def _render(self, request: Request, template: str, status: int = 200,
                **context: Any) -> HTMLResponse:
        context.setdefault("viewer", None)
        context.setdefault("flash", None)
        context.setdefault("nav", "")
        html = self._templates.get_template(template).render(
            root=request.scope.get("root_path", ""), now=self._clock(), labels=LABELS,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=_HEADERS)

    def _csrf_for(self, subject: str) -> str:
        return hmac.new(self._secret, subject.encode(), hashlib.sha256).hexdigest()

    async def _viewer(self, request: Request) -> Viewer:
        token = request.cookies.get(COOKIE_NAME, "")
        session = await signin.load_session(self._store, token, self._clock()) if token else None
        if session is None:
            raise SignInRequired()
        return Viewer(session, self._csrf_for("session:" + session.session_sha256))

    async def _post(self, request: Request, expected_csrf: str) -> dict[str, str]:
        """The form of a POST after the cross-site checks; 403 when they fail."""
        origin = request.headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
            raise HTTPException(403, "This form came from another site.")
        form = await _read_form(request)
        if not hmac.compare_digest(form.get("csrf", ""), expected_csrf):
            raise HTTPException(403, "This form has expired. Go back, reload the page and try "
                                     "again.")
        return form

    async def _grant_for_case(self, viewer: Viewer, case_id: int) -> Grant:
        """The grant under which this session sees the case; 404 for anything else."""
        if case_id > _MAX_CASE_ID:
            raise HTTPException(404, "No such case.")
        where = await self._store.cases.community_of(case_id)
        grant = viewer.session.grant_for(*where) if where else None
        if grant is None:
            raise HTTPException(404, "No such case.")
        return grant

    def _url(self, request: Request, path: str, **query: str) -> str:
        url = str(request.scope.get("root_path", "")) + path
        return url + ("?" + urlencode(query) if query else "")

    async def _signin_needed(self, request: Request, exc: Exception) -> Response:
        return self._render(request, "signin_needed.html", status=401)

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return self._render(request, "error.html", status=exc.status_code,
                            message=exc.detail if exc.status_code != 404 else "Not found.")

    # -- sign-in ---------------------------------------------------------------------------

    async def signin_page(self, request: Request) -> Response:
        token = request.path_params["token"]
        link = await signin.pending_link(self._store, token, self._clock())
        if link is None:
            return self._render(request, "signin_invalid.html", status=410)
        return self._render(request, "signin.html", grant=link.grant,
                            csrf=self._csrf_for("signin:" + signin.token_hash(token)),
                            action=self._url(request, f"/signin/{token}"))

    async def signin(self, request: Request) -> Response:
        token = request.path_params["token"]
        if not signin.well_formed(token):
            return self._render(request, "signin_invalid.html", status=410)
        await self._post(request, self._csrf_for("signin:" + signin.token_hash(token)))
        now = self._clock()
        current_token = request.cookies.get(COOKIE_NAME, "")
        current = (await signin.load_session(self._store, current_token, now)
                   if current_token else None)
        redeemed = await signin.redeem_link(self._store, token, now, current=current)
        if redeemed is None:
            return self._render(request, "signin_invalid.html", status=410)
        session_token, session = redeemed
        log.info("review sign-in", extra=fields(
            platform=session.grants[-1].platform, community=session.grants[-1].community_id,
            moderator=session.grants[-1].moderator.id))
        response = RedirectResponse(self._url(request, "/"), status_code=303, headers=_HEADERS)
        response.set_cookie(
            COOKIE_NAME, session_token, max_age=int(signin.SESSION_TTL.total_seconds()),
            path=request.scope.get("root_path", "") or "/", secure=self._secure, httponly=True,
            samesite="lax",
        )
        return response

    async def signout(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        await self._post(request, viewer.csrf)
        await signin.end_session(self._store, viewer.session)
        response = self._render(request, "signed_out.html")
        response.delete_cookie(COOKIE_NAME, path=request.scope.get("root_path", "") or "/",
                               secure=self._secure, httponly=True, samesite="lax")
        return response

    # -- queue -----------------------------------------------------------------------------

    async def queue(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        filters = rq.QueueFilters.parse(dict(request.query_params))
        scope = viewer.session.scope
        rows = await rq.queue(self._store.db, scope, filters)
        counts = await rq.queue_counts(self._store.db, scope)
        now = self._clock()
        holders = {row.id: _holder(row.claimed_by, row.claimed_at, now)
                   if row.status is CaseStatus.OPEN else None for row in rows}
        names = await rq.moderator_names(self._store.db, (h for h in holders.values() if h))
        return self._render(
            request, "queue.html", viewer=viewer, nav="queue", rows=rows, counts=counts,
            filters=filters, holders=holders, names=names, severities=list(Severity),
            statuses=[str(s) for s in CaseStatus], max_rows=rq.MAX_QUEUE_ROWS,
            platforms=sorted({g.platform for g in viewer.session.grants}),
            communities=sorted({g.community_id for g in viewer.session.grants}),
        )

    # -- a case ----------------------------------------------------------------------------

    async def case(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        case_id = int(request.path_params["case_id"])
        grant = await self._grant_for_case(viewer, case_id)
        report = await self._service.case_report(grant.platform, grant.community_id, case_id)
        if report is None:
            raise HTTPException(404, "No such case.")
        db, now = self._store.db, self._clock()
        history = await rq.sender_history(db, report.platform, report.community_id,
                                          report.sender.id)
        events = await self._store.cases.events(case_id)
        claimed_by, claimed_at = await rq.claim_state(db, case_id)
        holder = _holder(claimed_by, claimed_at, now) if report.status is CaseStatus.OPEN else None
        revealed = await rq.last_event_by(db, case_id, grant.actor, "revealed")
        hidden = await rq.last_event_by(db, case_id, grant.actor, "evidence_hidden")
        show_evidence = (revealed is not None and now - revealed < REVEAL_WINDOW
                         and (hidden is None or hidden < revealed))
        names = await rq.moderator_names(db, [e.actor for e in events]
                                         + ([claimed_by] if claimed_by else []))
        for person in report.recipients:  # a warned person's answer is in the audit trail
            if person.name:
                names.setdefault(f"{person.platform}:{person.id}", person.name)
        chart = charts.score_timeline(
            [p.scores for p in history], [p.flagged for p in history], ident="history",
            title=f"Detector scores for {report.sender.name or report.sender.id}'s messages",
        ) if history else None
        done = request.query_params.get("done", "")
        return self._render(
            request, "case.html", viewer=viewer, nav="queue", report=report, grant=grant,
            history=history, chart=chart, events=events, names=names,
            effects=await rq.case_effects(db, case_id),
            feedback=await rq.case_feedback(db, case_id),
            holder=holder, claimed_at=claimed_at,
            held_by_other=bool(holder and holder != grant.actor), show_evidence=show_evidence,
            reveal_until=(revealed + REVEAL_WINDOW) if revealed else None,
            flash=_flash(done), claim_minutes=int(CLAIM_LOCK.total_seconds() // 60),
        )

    async def act(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        case_id = int(request.path_params["case_id"])
        grant = await self._grant_for_case(viewer, case_id)
        form = await self._post(request, viewer.csrf)
        outcome = await self._apply(grant, case_id, form.get("action", ""),
                                    form.get("text", ""))
        anchor = "#evidence" if outcome in ("reveal", "hide") else "#status"
        return RedirectResponse(self._url(request, f"/cases/{case_id}", done=outcome) + anchor,
                                status_code=303, headers=_HEADERS)

    async def _apply(self, grant: Grant, case_id: int, action: str, text: str) -> str:
        """Do one moderator action; returns the FLASH_CODES entry saying what happened."""
        service, db, now = self._service, self._store.db, self._clock()
        reason = clean_text(text, MAX_NOTE_CHARS).strip()
        report = await service.case_report(grant.platform, grant.community_id, case_id)
        if report is None:
            raise HTTPException(404, "No such case.")
        claimed_by, claimed_at = await rq.claim_state(db, case_id)
        holder = _holder(claimed_by, claimed_at, now)
        held_by_other = holder is not None and holder != grant.actor
        if action not in _ACTIONS:
            raise HTTPException(400, "Unknown action.")
        log.info("review action", extra=fields(case_id=case_id, action=action,
                                               moderator=grant.moderator.id))
        if action == "note":
            if not reason:
                return "empty_note"
            await self._store.cases.add_event(case_id, grant.actor, "note", now, reason=reason)
            return "note"
        if action == "reveal":
            await service.resolve(grant.platform, grant.community_id, case_id,
                                  ModeratorAction.REVEAL, grant.moderator,
                                  note="evidence revealed in the review UI")
            return "reveal"
        if action == "hide":
            await self._store.cases.add_event(case_id, grant.actor, "evidence_hidden", now)
            return "hide"
        if action == "claim":
            if report.status is not CaseStatus.OPEN:
                return "closed"
            if not await rq.try_claim(db, case_id, grant.actor, now, now - CLAIM_LOCK):
                return "held"
            await service.resolve(grant.platform, grant.community_id, case_id,
                                  ModeratorAction.CLAIM, grant.moderator, note=reason)
            return "claimed"
        decisions = {"confirm_timeout": ModeratorAction.CONFIRM_TIMEOUT,
                     "confirm_ban": ModeratorAction.CONFIRM_BAN,
                     "dismiss": ModeratorAction.DISMISS}
        if action in decisions:
            if report.status is not CaseStatus.OPEN:
                return "closed"
            if held_by_other:
                return "held"
            await service.resolve(grant.platform, grant.community_id, case_id,
                                  decisions[action], grant.moderator, note=reason)
            return action
        if action == "reopen":
            if report.status is CaseStatus.OPEN:
                return "already_open"
            updated = await service.resolve(grant.platform, grant.community_id, case_id,
                                            ModeratorAction.REOPEN, grant.moderator, note=reason)
            return "reopen" if updated and updated.status is CaseStatus.OPEN else "not_reopened"
        raise AssertionError(f"unhandled action {action}")  # _ACTIONS and this method disagree

    # -- evidence export -------------------------------------------------------------------

    async def _bundle(self, request: Request) -> Any:
        viewer = await self._viewer(request)
        case_id = int(request.path_params["case_id"])
        grant = await self._grant_for_case(viewer, case_id)
        await self._post(request, viewer.csrf)
        bundle = await self._service.export_case(grant.platform, grant.community_id, case_id,
                                                 grant.moderator)
        if bundle is None:
            raise HTTPException(404, "No such case.")
        log.info("review export", extra=fields(case_id=case_id, sha256=bundle.sha256))
        return viewer, bundle

    async def export_page(self, request: Request) -> Response:
        viewer, bundle = await self._bundle(request)
        document = json.loads(bundle.content)
        data_url = "data:application/json;base64," + base64.b64encode(bundle.content).decode()
        return self._render(request, "export.html", viewer=viewer, bundle=bundle, doc=document,
                            data_url=data_url, nav="queue",
                            size_kib=max(1, round(len(bundle.content) / 1024)))

    async def export_json(self, request: Request) -> Response:
        _viewer, bundle = await self._bundle(request)
        return Response(bundle.content, media_type="application/json", headers={
            **_HEADERS,
            "Content-Disposition": f'attachment; filename="{bundle.filename}"',
            "X-Evidence-SHA256": bundle.sha256,
        })

    # -- statistics ------------------------------------------------------------------------

    async def stats(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        try:
            days = int(request.query_params.get("days", "30"))
        except ValueError:
            days = 30
        days = days if days in _STATS_PERIODS else 30
        now = self._clock()
        first_day, last_day = statistics.day_range(now, days)
        since = datetime.combine(first_day, datetime.min.time(), tzinfo=now.tzinfo)
        scope = viewer.session.scope
        openings = await rq.case_openings(self._store.db, scope, since)
        daily = statistics.cases_per_day(openings, first_day, last_day)
        first = statistics.time_to_first_action(openings)
        outcomes = statistics.dismissed_per_policy(
            await rq.feedback_since(self._store.db, scope, since),
            await rq.recipient_feedback_since(self._store.db, scope, since))
        daily_chart = charts.stacked_bars(
            [d.strftime("%d %b") for d in daily.days], daily.by_label, ident="daily",
            title=f"Cases opened per day, last {days} days, by label",
            desc=f"{len(openings)} cases in {days} days. The table below gives each day.",
        ) if openings else None
        first_chart = charts.horizontal_bars(
            [(name, n, str(n)) for name, n in first.buckets], ident="first",
            title="Time from a case opening to a moderator's first action",
            desc="Number of cases per waiting time. The table below gives the same numbers.",
            maximum=max([n for _, n in first.buckets] + [1]),
        ) if first.acted else None
        dismissed_chart = charts.horizontal_bars(
            [(o.policy, o.share_dismissed, f"{o.share_dismissed:.0%} of {o.decided}")
             for o in outcomes if o.decided], ident="dismissed",
            title="Share of decided cases dismissed as false positives, per policy",
            desc="Longer bars mean a policy more often flagged harmless messages.",
        ) if any(o.decided for o in outcomes) else None
        return self._render(
            request, "stats.html", viewer=viewer, nav="stats", days=days, periods=_STATS_PERIODS,
            openings=openings, daily=daily, daily_chart=daily_chart, first=first,
            first_chart=first_chart, outcomes=outcomes, dismissed_chart=dismissed_chart,
        )


def _holder(claimed_by: str | None, claimed_at: datetime | None, now: datetime) -> str | None:
    """Who holds a live claim on a case, if anyone."""
    if claimed_by is None or claimed_at is None or now - claimed_at >= CLAIM_LOCK:
        return None
    return claimed_by


def _flash(code: str) -> str | None:
    return code if code in FLASH_CODES else None


async def _read_form(request: Request) -> dict[str, str]:
    """An urlencoded form (first value of each field), at most MAX_FORM_BYTES; other bodies
    count as an empty form, so they fail the CSRF check rather than crash."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return {}
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "This form is too large.")
    try:
        parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                          max_num_fields=20)
    except ValueError:
        raise HTTPException(400, "This form could not be read.") from None
    return {key: values[0] for key, values in parsed.items() if values}


def build_review_app(service: Pipeline, store: Store, *, secret: bytes, base_url: str,
                     clock: Callable[[], datetime] = utcnow) -> Starlette:
    """The review UI as an ASGI app, to mount at ``/review``.

    ``secret`` (at least 16 random bytes) signs the CSRF tokens; ``base_url`` is the public URL
    of the mount (``https://...`` makes the session cookie Secure).
    """
    return ReviewApp(service, store, secret=secret, base_url=base_url, clock=clock).starlette()
