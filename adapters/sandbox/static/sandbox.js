// The local sandbox page. Vanilla JS, no build step. It reads the feed of events
// (GET api/feed, long-polled) and renders three views of it: the community's conversations,
// each person's private messages from the bot, and the moderators' case cards.
// Everything is rendered with textContent: no message text ever becomes HTML.
"use strict";

(function () {
  const root = document.body.dataset.root || "";
  const api = (path) => `${root}/api/${path}`;

  const state = {
    personas: [],
    byId: new Map(),
    moderator: null,
    lastSeq: 0,
    epoch: null,
    messages: new Map(),        // message_id -> message (+ removed flag)
    conversations: new Map(),   // conversation_id -> {id, label, private, members}
    view: "general",
    unread: new Map(),          // conversation_id -> messages that arrived while not shown
    loaded: false,
    notices: new Map(),         // persona id -> [notice event]
    restrictions: new Map(),    // persona id -> [{kind, seconds, at}]
    cases: new Map(),           // case_id -> {card, ref}
    caseHistory: new Map(),     // case_id -> [{action, moderator, at}]
    revealed: new Map(),        // case_id -> {message_id: text}
    answered: new Set(),        // "case_id:persona id": said a warning on that case was fine
    replyTo: null,
  };

  const $ = (id) => document.getElementById(id);

  // --- small helpers ------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function personaName(user) {
    const persona = state.byId.get(user.id);
    return persona ? persona.name : (user.name || user.id);
  }

  function avatar(user, small) {
    const persona = state.byId.get(user.id);
    const cls = persona ? `p-${persona.id}` : "p-other";
    return el("span", { class: `avatar ${small ? "small" : ""} ${cls}`, "aria-hidden": "true" },
      personaName(user).slice(0, 1).toUpperCase());
  }

  function ageText(seconds) {
    if (seconds === null || seconds === undefined) return "unknown";
    const minutes = seconds / 60, hours = minutes / 60, days = hours / 24;
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    if (hours < 1) return plural(Math.max(1, Math.round(minutes)), "minute");
    if (days < 1) return plural(Math.round(hours), "hour");
    if (days < 60) return plural(Math.round(days), "day");
    if (days < 365) return plural(Math.round(days / 30), "month");
    return plural(Math.round(days / 365), "year");
  }

  function durationText(seconds) {
    if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
    const days = Math.round(seconds / 86400);
    return `${days} day${days === 1 ? "" : "s"}`;
  }

  // The service may name a moderator by id or as "platform:id"; show the persona's name.
  function moderatorName(value) {
    const id = String(value).replace(/^sandbox:/, "");
    return state.byId.has(id) ? state.byId.get(id).name : String(value);
  }

  function timeText(iso) {
    const date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (_) {
      return null;
    }
  }

  async function request(path, options) {
    const response = await fetch(api(path), options);
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    if (!response.ok) {
      const reason = body && body.error ? body.error : `the server answered ${response.status}`;
      throw new Error(reason);
    }
    return body;
  }

  function postJson(path, payload) {
    return request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
  }

  // --- conversations ------------------------------------------------------------------------

  function dmId(a, b) {
    const [low, high] = [a, b].sort();
    return `dm:${low}:${high}`;
  }

  function ensureConversation(id) {
    if (state.conversations.has(id)) return state.conversations.get(id);
    let conversation;
    if (id.startsWith("dm:")) {
      const members = id.split(":").slice(1);
      const names = members.map((m) => personaName({ id: m }));
      conversation = { id, label: names.join(" ↔ "), private: true, members };
    } else {
      conversation = { id, label: `#${id}`, private: false, members: [] };
    }
    state.conversations.set(id, conversation);
    return conversation;
  }

  // --- applying feed events -----------------------------------------------------------------

  function clearAll() {
    state.messages.clear();
    state.conversations.clear();
    state.notices.clear();
    state.restrictions.clear();
    state.cases.clear();
    state.caseHistory.clear();
    state.revealed.clear();
    state.answered.clear();
    state.unread.clear();
    state.replyTo = null;
    ensureConversation("general");
  }

  function apply(event) {
    const data = event.data;
    switch (event.kind) {
      case "reset":
        clearAll();
        break;
      case "message":
        ensureConversation(data.conversation_id);
        state.messages.set(data.message_id, { ...data, removed: false });
        if (state.loaded && data.conversation_id !== state.view) {
          state.unread.set(data.conversation_id, (state.unread.get(data.conversation_id) || 0) + 1);
        }
        break;
      case "message_removed": {
        const message = state.messages.get(data.message.message_id);
        if (message) message.removed = true;
        break;
      }
      case "private_notice": {
        const list = state.notices.get(data.user.id) || [];
        list.push({ ...data, at: event.at });
        state.notices.set(data.user.id, list);
        break;
      }
      case "timeout":
      case "timeout_lifted":
      case "ban": {
        const list = state.restrictions.get(data.user.id) || [];
        list.push({ kind: event.kind, seconds: data.seconds, at: event.at });
        state.restrictions.set(data.user.id, list);
        break;
      }
      case "case":
        state.cases.set(data.case.case_id, { card: data.case, ref: data.ref });
        break;
      case "recipient_feedback":
        state.answered.add(`${data.case_id}:${data.user.id}`);
        break;
      case "case_action": {
        const list = state.caseHistory.get(data.case_id) || [];
        list.push({ action: data.action, moderator: data.moderator, at: event.at });
        state.caseHistory.set(data.case_id, list);
        break;
      }
      default:
        break;
    }
  }

  // --- rendering ----------------------------------------------------------------------------

  function renderAll() {
    renderTabs();
    renderMessages();
    renderInboxes();
    renderCases();
  }

  function renderTabs() {
    const nav = $("conversations");
    nav.replaceChildren();
    for (const conversation of state.conversations.values()) {
      nav.append(el("button", {
        type: "button",
        "aria-pressed": conversation.id === state.view ? "true" : "false",
        onclick: () => openConversation(conversation.id),
      }, conversation.label,
      conversation.private ? el("span", { class: "tab-note" }, " · private") : null,
      state.unread.get(conversation.id)
        ? el("span", { class: "unread", "aria-label": "new messages" }, String(state.unread.get(conversation.id)))
        : null));
    }
  }

  function renderMessages() {
    const list = $("messages");
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    list.replaceChildren();
    const shown = [...state.messages.values()].filter((m) => m.conversation_id === state.view);
    if (shown.length === 0) {
      const conversation = state.conversations.get(state.view);
      list.append(el("li", { class: "empty" },
        conversation && conversation.private
          ? "No private messages here yet."
          : "No messages yet. Pick a person below and say hello."));
    }
    for (const message of shown) list.append(renderMessage(message));
    if (nearBottom) list.scrollTop = list.scrollHeight;
  }

  function renderMessage(message) {
    const persona = state.byId.get(message.sender.id);
    const replied = message.reply_to ? state.messages.get(message.reply_to) : null;
    const body = el("div", {},
      el("div", { class: "msg-head" },
        el("span", { class: "name" }, personaName(message.sender)),
        persona ? el("span", { class: "meta" }, persona.short_role) : null,
        el("span", { class: "meta" }, timeText(message.sent_at))),
      replied ? el("div", { class: "msg-reply" }, `↪ replying to ${personaName(replied.sender)}`)
        : null,
      message.removed
        ? el("p", { class: "msg-text" }, "This message was removed by the safety bot.")
        : el("p", { class: "msg-text" },
          (message.mentions || []).map((id) =>
            el("span", { class: "mention" }, `@${personaName({ id })}`)),
          (message.mentions || []).length ? " " : "",
          message.text),
      message.removed ? null : el("div", { class: "msg-actions" },
        el("button", { type: "button", class: "link", onclick: () => startReply(message) },
          "Reply")));
    return el("li", { class: `msg${message.removed ? " removed" : ""}` },
      avatar(message.sender), body);
  }

  function renderInboxes() {
    const box = $("inboxes");
    box.replaceChildren();
    for (const persona of state.personas) {
      const notices = state.notices.get(persona.id) || [];
      const restrictions = state.restrictions.get(persona.id) || [];
      const latest = restrictions[restrictions.length - 1];
      const badge = latest && latest.kind !== "timeout_lifted" ? el("span", { class: `badge ${latest.kind}` },
        latest.kind === "ban" ? "banned" : `timed out ${durationText(latest.seconds)}`) : null;
      const card = el("article", { class: "inbox", "aria-label": `${persona.name}'s private messages` },
        el("div", { class: "inbox-head" },
          avatar({ id: persona.id }, true),
          el("div", { class: "who" },
            el("span", { class: "name" }, persona.name), " ",
            el("span", { class: "meta" }, persona.short_role)),
          badge));
      if (notices.length === 0) {
        card.append(el("p", { class: "empty" }, "Nothing from the bot."));
      } else {
        const newestFirst = [...notices].reverse();
        card.append(renderNotice(newestFirst[0]));
        if (newestFirst.length > 1) {
          card.append(el("details", { class: "earlier" },
            el("summary", {}, `${newestFirst.length - 1} earlier message${newestFirst.length === 2 ? "" : "s"} from the bot`),
            newestFirst.slice(1).map(renderNotice)));
        }
      }
      for (const restriction of restrictions) {
        card.append(el("p", { class: "restriction" },
          restriction.kind === "ban"
            ? `Removed from the community at ${timeText(restriction.at)}.`
            : restriction.kind === "timeout_lifted"
              ? `Timeout lifted at ${timeText(restriction.at)} (a moderator dismissed the case).`
              : `Timed out for ${durationText(restriction.seconds)} at ${timeText(restriction.at)}.`));
      }
      box.append(card);
    }
  }

  function renderNotice(item) {
    const notice = item.notice;
    const links = notice.links
      .map((link) => ({ ...link, href: safeUrl(link.url) }))
      .filter((link) => link.href);
    return el("div", { class: `notice${notice.topic === "victim_disclosure" ? " support" : ""}` },
      el("p", { class: "from" }, `From the safety bot · ${timeText(item.at)}`),
      el("h4", {}, notice.headline),
      el("p", {}, notice.body),
      notice.advice.length ? el("ol", {}, notice.advice.map((step) => el("li", {}, step))) : null,
      links.length ? el("p", { class: "links" }, links.map((link) =>
        el("a", { href: link.href, target: "_blank", rel: "noopener noreferrer" }, link.title)))
        : null,
      renderAnswer(item));
  }

  // "This was fine" under a warning that belongs to a case: the person's word, kept for the
  // moderators; the case stays open.
  function renderAnswer(item) {
    const caseId = item.notice.case_id;
    if (caseId === null || caseId === undefined) return null;
    if (state.answered.has(`${caseId}:${item.user.id}`)) {
      return el("p", { class: "answered" },
        "Thanks for telling us. If anything changes, the advice above is still here.");
    }
    return el("div", { class: "notice-actions" },
      el("button", { type: "button", onclick: (e) => sayFine(caseId, item.user.id, e.target) },
        "This was fine"));
  }

  function renderCases() {
    const box = $("cases");
    box.replaceChildren();
    const cases = [...state.cases.values()].sort((a, b) => b.card.case_id - a.card.case_id);
    if (cases.length === 0) {
      box.append(el("p", { class: "empty" }, "No cases yet."));
      return;
    }
    for (const { card } of cases) box.append(renderCase(card));
  }

  function personWithAges(user, accountAge, memberAge) {
    const persona = state.byId.get(user.id);
    const account = accountAge ?? (persona ? persona.account_age_s : null);
    const member = memberAge ?? (persona ? persona.membership_age_s : null);
    const parts = [personaName(user) + (persona ? `, ${persona.short_role}` : "")];
    const ages = [];
    if (account !== null && account !== undefined) ages.push(`account ${ageText(account)} old`);
    if (member !== null && member !== undefined) ages.push(`joined ${ageText(member)} ago`);
    return ages.length ? `${parts.join(" ")} · ${ages.join(", ")}` : parts.join(" ");
  }

  const SENDERS_SHOWN = 6;

  function sendersText(senders) {
    const names = senders.slice(0, SENDERS_SHOWN).map((sender) => sender.account_age_s == null
      ? personaName(sender) : `${personaName(sender)} (account ${ageText(sender.account_age_s)} old)`);
    if (senders.length > SENDERS_SHOWN) names.push(`+${senders.length - SENDERS_SHOWN} more`);
    return names.join(", ");
  }

  function renderCase(card) {
    const revealed = state.revealed.get(card.case_id) || {};
    const history = state.caseHistory.get(card.case_id) || [];
    const closed = card.status !== "open";
    const evidence = card.evidence.map((item) => {
      const text = revealed[item.message.message_id];
      const top = Object.entries(item.scores).sort((a, b) => b[1] - a[1])[0];
      return el("li", {},
        el("div", { class: "meta" },
          `${personaName(item.sender)} · ${timeText(item.sent_at)}`,
          top ? ` · ${top[0]} ${top[1].toFixed(2)}` : ""),
        text !== undefined
          ? el("div", { class: "revealed-text" }, text === null ? "(text deleted after the retention period)" : text)
          : el("span", { class: "hidden-text", role: "img", "aria-label": "Hidden message text" }));
    });
    const anyHidden = card.evidence.some((item) => !(item.message.message_id in revealed));
    // A campaign sent by several accounts is one case; confirming it acts on every sender.
    const several = card.senders.length > 1;
    const every = several ? `, all ${card.senders.length} senders` : "";
    const act = (action, label, extra) => el("button", {
      type: "button", class: extra || "", onclick: (e) => caseAction(card.case_id, action, e.target),
    }, label);

    return el("article", { class: `case sev-${card.severity}${closed ? " closed" : ""}` },
      el("div", { class: "case-head" },
        el("h3", {}, `Case #${card.case_id}`),
        el("span", { class: `sev ${card.severity}` }, card.severity),
        el("span", { class: `state ${card.status}` }, card.status)),
      el("div", { class: "chips" },
        card.labels.map((label) => el("span", { class: "chip label" }, label.replaceAll("_", " ")))),
      el("dl", { class: "facts" },
        el("dt", {}, several ? `Senders (${card.senders.length})` : "Sender"),
        el("dd", {}, several ? sendersText(card.senders)
          : personWithAges(card.sender, card.sender_account_age_s, card.sender_membership_age_s)),
        el("dt", {}, "Targeted"),
        el("dd", {}, card.recipients.length
          ? card.recipients.map((user) => personWithAges(user)).join("; ") : "nobody named"),
        el("dt", {}, "Policies"),
        el("dd", {}, card.policies.join(", ") || "none"),
        el("dt", {}, "Updated"),
        el("dd", {}, `${timeText(card.updated_at)} · opened ${timeText(card.opened_at)}`),
        card.claimed_by ? el("dt", {}, "Claimed by") : null,
        card.claimed_by ? el("dd", {}, moderatorName(card.claimed_by)) : null,
        card.said_fine.length ? el("dt", {}, "Said it was fine") : null,
        card.said_fine.length ? el("dd", {}, card.said_fine.map(personaName).join(", ") +
          " (their word, not a decision)") : null),
      el("h4", {}, `Evidence (${card.evidence.length} message${card.evidence.length === 1 ? "" : "s"})`),
      el("ul", { class: "evidence" }, evidence),
      el("div", { class: "case-actions", role: "group", "aria-label": "Case tools" },
        card.claimed_by ? null : act("claim", "Claim"),
        anyHidden ? act("reveal", "Reveal evidence") : null,
        el("button", { type: "button", onclick: () => exportCase(card.case_id) }, "Export evidence")),
      el("div", { class: "case-actions", role: "group", "aria-label": "Decision" },
        closed ? null : act("confirm_timeout", `Confirm (timeout${every})`, "danger"),
        closed ? null : act("confirm_ban", `Confirm (ban${every})`, "danger"),
        closed ? null : act("dismiss", "Dismiss as false positive"),
        closed ? act("reopen", "Reopen") : null),
      history.length ? el("ul", { class: "history" }, history.map((entry) =>
        el("li", {}, `${timeText(entry.at)} · ${personaName(entry.moderator)}: ${actionWords(entry.action)}`)))
        : null);
  }

  function actionWords(action) {
    return {
      claim: "claimed the case",
      reveal: "revealed the evidence",
      confirm_timeout: "confirmed, sender timed out",
      confirm_ban: "confirmed, sender banned",
      dismiss: "dismissed as a false positive",
      reopen: "reopened the case",
      export: "exported the evidence",
    }[action] || action;
  }

  // --- actions ------------------------------------------------------------------------------

  function moderatorId() {
    return state.moderator ? state.moderator.id : "";
  }

  async function caseAction(caseId, action, button) {
    if (button) button.disabled = true;
    try {
      const report = await postJson(`cases/${caseId}/actions`, { action, persona: moderatorId() });
      if (action === "reveal") {
        const texts = {};
        for (const item of report.evidence) texts[item.message.message_id] = item.text ?? null;
        state.revealed.set(caseId, texts);
      }
      const current = state.cases.get(caseId);
      const withoutText = { ...report, evidence: report.evidence.map(({ text, ...rest }) => rest) };
      state.cases.set(caseId, { card: withoutText, ref: current ? current.ref : null });
      renderCases();
    } catch (error) {
      setStatus(`Could not ${actionWords(action)}: ${error.message}`, "error");
      if (button) button.disabled = false;
    }
  }

  async function sayFine(caseId, personaId, button) {
    button.disabled = true;
    try {
      const answer = await postJson(`cases/${caseId}/fine`, { persona: personaId });
      if (answer.recorded) {
        state.answered.add(`${caseId}:${personaId}`);
        renderInboxes();
      } else {
        setStatus("Thanks, but there is nothing to answer here.");
        button.disabled = false;
      }
    } catch (error) {
      setStatus(`Could not send the answer: ${error.message}`, "error");
      button.disabled = false;
    }
  }

  function exportCase(caseId) {
    const link = el("a", {
      href: `${api(`cases/${caseId}/export`)}?persona=${encodeURIComponent(moderatorId())}`,
      download: `case-${caseId}-evidence.json`,
    });
    document.body.append(link);
    link.click();
    link.remove();
  }

  function startReply(message) {
    state.replyTo = message;
    $("replying").hidden = false;
    $("replying-name").textContent = personaName(message.sender);
    $("text").focus();
  }

  function cancelReply() {
    state.replyTo = null;
    $("replying").hidden = true;
  }

  function openConversation(id) {
    const conversation = ensureConversation(id);
    state.view = id;
    state.unread.delete(id);
    cancelReply();
    if (conversation.private) {
      const persona = $("persona").value;
      if (!conversation.members.includes(persona)) $("persona").value = conversation.members[0];
      fillTargets();
      const current = $("persona").value;
      $("target").value = `dm:${conversation.members.find((m) => m !== current)}`;
    } else {
      $("target").value = `channel:${id}`;
    }
    renderTabs();
    renderMessages();
  }

  function currentConversation() {
    const [kind, value] = $("target").value.split(":");
    return kind === "dm" ? dmId($("persona").value, value) : value;
  }

  function setStatus(text, kind) {
    const status = $("status");
    status.textContent = text;
    status.className = `status ${kind || ""}`;
  }

  function outcomeWords(outcome) {
    if (outcome.duplicate) return { text: "Already checked.", kind: "" };
    if (outcome.skipped) return { text: `Not checked (${outcome.skipped}).`, kind: "" };
    if (!outcome.flagged && outcome.effects.length === 0) {
      return { text: "Checked by the bot: nothing of concern.", kind: "" };
    }
    const done = [];
    const kinds = new Set(outcome.effects.map((e) => e.kind));
    const warned = outcome.effects
      .filter((e) => e.kind === "warn_recipient" && e.target)
      .map((e) => personaName(e.target));
    if (warned.length) done.push(`warned ${[...new Set(warned)].join(", ")} privately`);
    if (kinds.has("support_victim")) done.push("offered support privately");
    if (kinds.has("delete_message")) done.push("removed the message");
    if (kinds.has("timeout_sender")) done.push("timed the sender out");
    if (kinds.has("escalate") && outcome.case_id) done.push(`told the moderators (case #${outcome.case_id})`);
    const labels = outcome.labels.map((l) => l.replaceAll("_", " ")).join(", ");
    const text = `Flagged${labels ? ` (${labels})` : ""}` +
      (done.length ? `: the bot ${done.join(", ")}.` : ".");
    return { text, kind: "flagged" };
  }

  async function send(event) {
    event.preventDefault();
    const text = $("text").value;
    if (!text.trim()) {
      setStatus("Write something first.", "error");
      return;
    }
    const [kind, value] = $("target").value.split(":");
    const payload = { persona: $("persona").value, text };
    if (kind === "dm") payload.dm_with = value; else payload.channel = value;
    if ($("mention").value) payload.mention = $("mention").value;
    if (state.replyTo) payload.reply_to = state.replyTo.message_id;
    $("send").disabled = true;
    setStatus("Checking…");
    try {
      const outcome = await postJson("messages", payload);
      $("text").value = "";
      $("mention").value = "";
      cancelReply();
      const words = outcomeWords(outcome);
      setStatus(words.text, words.kind);
      state.view = outcome.conversation_id;
      state.unread.delete(state.view);
      await pollOnce(0);
    } catch (error) {
      setStatus(error.message, "error");
    } finally {
      $("send").disabled = false;
    }
  }

  async function reset() {
    try {
      await postJson("reset", {});
      state.view = "general";
      $("target").value = "channel:general";
      setStatus("");
      await pollOnce(0);
    } catch (error) {
      setStatus(error.message, "error");
    }
  }

  // --- composer selects ---------------------------------------------------------------------

  function fillPersonas(info) {
    const select = $("persona");
    for (const persona of info.personas) {
      select.append(el("option", { value: persona.id }, `${persona.name} (${persona.short_role})`));
    }
    const mention = $("mention");
    for (const persona of info.personas) {
      mention.append(el("option", { value: persona.id }, `@${persona.name}`));
    }
  }

  function fillTargets() {
    const select = $("target");
    const previous = select.value;
    const me = $("persona").value;
    select.replaceChildren();
    for (const channel of state.channels) {
      select.append(el("option", { value: `channel:${channel}` }, `#${channel}`));
    }
    for (const persona of state.personas) {
      if (persona.id === me) continue;
      select.append(el("option", { value: `dm:${persona.id}` }, `private chat with ${persona.name}`));
    }
    if ([...select.options].some((o) => o.value === previous)) select.value = previous;
    const info = state.byId.get(me);
    $("persona-info").textContent = info
      ? `${info.name}, ${info.short_role}: account ${ageText(info.account_age_s)} old, joined ${info.community} ${ageText(info.membership_age_s)} ago.`
      : "";
  }

  function onTargetChange() {
    state.view = currentConversation();
    state.unread.delete(state.view);
    ensureConversation(state.view);
    cancelReply();
    renderTabs();
    renderMessages();
  }

  // --- the feed -----------------------------------------------------------------------------

  async function pollOnce(wait) {
    let body = await request(`feed?after=${state.lastSeq}&wait=${wait}`);
    if (state.epoch && body.epoch !== state.epoch) {
      // The sandbox restarted: what this page shows belongs to the old process.
      state.lastSeq = 0;
      body = await request("feed?after=0");
      body.reset = true;
    }
    state.epoch = body.epoch;
    if (body.reset) clearAll();
    for (const event of body.events) apply(event);
    state.lastSeq = body.last_seq;
    if (body.reset || body.events.length) renderAll();
  }

  async function pollForever() {
    for (;;) {
      try {
        // A short wait keeps updates instant while letting the server stop quickly (Ctrl-C).
        await pollOnce(5);
      } catch (_) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  async function start() {
    const info = await request("personas");
    state.personas = info.personas.map((p) => ({ ...p, community: info.community.name }));
    state.channels = info.channels;
    for (const persona of state.personas) state.byId.set(persona.id, persona);
    state.moderator = state.personas.find((p) => p.is_moderator) || null;
    fillPersonas(info);
    $("persona").value = (state.personas.find((p) => p.id === "jordan") || state.personas[0]).id;
    fillTargets();
    clearAll();
    $("persona").addEventListener("change", () => { fillTargets(); onTargetChange(); });
    $("target").addEventListener("change", onTargetChange);
    $("composer").addEventListener("submit", send);
    $("cancel-reply").addEventListener("click", cancelReply);
    $("reset").addEventListener("click", reset);
    $("text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) send(event);
    });
    renderAll();
    await pollOnce(0);
    state.loaded = true;
    pollForever();
  }

  start().catch((error) => setStatus(`The sandbox could not start: ${error.message}`, "error"));
})();
