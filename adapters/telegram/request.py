"""The HTTP layer under the Bot, with one addition: malformed updates are skipped, not fatal.

python-telegram-bot parses a ``getUpdates`` batch all at once; one update it cannot parse fails
the whole batch, logs the raw payload (message text included) and is fetched again forever.
This request class checks each update first and replaces one that cannot be parsed with an empty
update carrying the same ``update_id``: polling moves past it and no handler sees it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)


class SkipMalformedUpdatesRequest(HTTPXRequest):
    """``HTTPXRequest`` that sanitises ``getUpdates`` answers (see the module docstring)."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(url, method, request_data, *args, **kwargs)
        if code == 200 and url.endswith("/getUpdates"):
            payload = sanitize_updates(payload)
        return code, payload


def sanitize_updates(payload: bytes) -> bytes:
    """The same ``getUpdates`` answer with every unparseable update emptied (ids kept)."""
    try:
        body = json.loads(payload)
    except ValueError:
        return payload  # not JSON: the library reports it as a network error
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, list):
        return payload
    clean: list[Any] = []
    changed = False
    for raw in result:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int):
            log.warning("telegram: dropped an update without an id")
            changed = True
            continue
        try:
            Update.de_json(json.loads(json.dumps(raw)), None)
        except Exception as exc:  # noqa: BLE001 - any parse failure means: skip this update
            log.warning("telegram update %s is malformed and was skipped: %s", update_id,
                        type(exc).__name__)
            clean.append({"update_id": update_id})
            changed = True
            continue
        clean.append(raw)
    if not changed:
        return payload
    body["result"] = clean
    return json.dumps(body).encode("utf-8")
