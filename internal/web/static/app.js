// Steward agent UI: live updates over Server-Sent Events, keyboard
// shortcuts (IME-safe), the help overlay, and small htmx glue.
// No build step; loaded with defer after htmx.
(function () {
  "use strict";

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = () => { const m = $('meta[name="csrf-token"]'); return m ? m.content : ""; };
  const parse = (html) => new DOMParser().parseFromString(html, "text/html");
  const get = (url) => fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
    .then((r) => { if (r.status === 401) { location.href = "/login"; } return r.ok ? r.text() : null; });

  // htmx requests carry the CSRF token as a header.
  document.addEventListener("htmx:configRequest", (e) => { e.detail.headers["X-CSRF-Token"] = csrf(); });

  // ---- Conversation helpers -------------------------------------------
  function openTicketID() { const m = $("#ticket-main"); return m ? m.dataset.ticketId : ""; }

  function scrollThread(force) {
    const t = $("#thread");
    if (!t) return;
    const near = t.scrollHeight - t.scrollTop - t.clientHeight < 120;
    if (force || near) t.scrollTop = t.scrollHeight;
  }

  function syncComposer() {
    const c = $("#composer");
    if (!c) return;
    const note = $('input[name="kind"][value="note"]', c);
    c.classList.toggle("is-note", !!(note && note.checked));
  }
  document.addEventListener("change", (e) => { if (e.target.name === "kind") syncComposer(); });

  function setKind(kind) {
    const r = $('#composer input[name="kind"][value="' + kind + '"]');
    if (!r) return;
    r.checked = true;
    syncComposer();
    $("#body").focus();
  }

  // Sanitised HTML mail bodies sit in sandboxed same-origin iframes (no
  // scripts run in them); size each to its content.
  document.addEventListener("load", (e) => {
    const f = e.target;
    if (!(f instanceof HTMLIFrameElement) || !f.classList.contains("msg-html")) return;
    try { f.style.height = (f.contentDocument.documentElement.scrollHeight + 8) + "px"; } catch (_) { /* keep min-height */ }
  }, true);

  async function appendMessages(ticketID) {
    const thread = $("#thread");
    if (!thread) return;
    const ids = $$(".msg", thread).map((li) => Number(li.dataset.id) || 0);
    const after = Math.max(0, ...ids);
    const html = await get("/tickets/" + ticketID + "/messages?after=" + after);
    if (!html) return;
    let added = false;
    $$(".msg", parse(html)).forEach((li) => {
      if (!document.getElementById(li.id)) { thread.appendChild(document.importNode(li, true)); added = true; }
    });
    if (added) {
      scrollThread(false);
      // The agent has now seen these: the server's stale-reply check counts from here.
      const seen = $('#composer input[name="seen"]');
      const last = Math.max(0, ...$$(".msg", thread).map((li) => Number(li.dataset.id) || 0));
      if (seen) seen.value = String(last);
    }
  }

  // changed reports whether a control differs from what the server drew (a
  // select with no option marked selected starts on its first option).
  function changed(el) {
    if (el.tagName !== "SELECT") return el.value !== el.defaultValue;
    const def = Math.max(0, $$("option", el).findIndex((o) => o.defaultSelected));
    return el.selectedIndex !== def;
  }

  async function refreshProps() {
    const props = $("#ticket-props");
    // Never under the agent's hands: not while focused or holding unsaved edits.
    const busy = () => props.contains(document.activeElement) || $$("select[name], input[name]:not([type=hidden])", props).some(changed);
    if (!props || busy()) return;
    const html = await get(location.pathname + location.search.replace(/([?&])saved=1&?/, "$1"));
    if (!html) return;
    const fresh = $("#ticket-props", parse(html));
    if (fresh && !busy()) {
      const node = document.importNode(fresh, true);
      props.replaceWith(node);
      if (window.htmx) htmx.process(node);
    }
  }

  // ---- Inbox regions ---------------------------------------------------
  async function refreshRegions() {
    const list = $("#list");
    if (!list) return;
    const html = await get("/inbox/regions?" + list.dataset.query + "&open=" + (list.dataset.open || "0"));
    if (!html) return;
    const doc = parse(html);
    const counts = $("#views ul", doc), freshList = $("#list", doc);
    const curCounts = $("#views ul");
    if (counts && curCounts) curCounts.replaceWith(document.importNode(counts, true));
    const cur = $("#list");
    if (freshList && cur) {
      const sel = $(".row.is-selected", cur);
      const focusedRow = document.activeElement && document.activeElement.closest && document.activeElement.closest("#list .row");
      const top = cur.scrollTop;
      const node = document.importNode(freshList, true);
      cur.replaceWith(node);
      node.scrollTop = top;
      if (sel) { const again = $('.row[data-id="' + sel.dataset.id + '"]', node); if (again) again.classList.add("is-selected"); }
      if (focusedRow) { const again = $('.row[data-id="' + focusedRow.dataset.id + '"] .row-link', node); if (again) again.focus({ preventScroll: true }); }
      if (window.htmx) htmx.process(node);
    }
  }

  let regionTimer = 0;
  function scheduleRegions() {
    clearTimeout(regionTimer);
    regionTimer = setTimeout(refreshRegions, 300);
  }

  // ---- Presence --------------------------------------------------------
  // Heartbeats tell the desk that this agent is viewing the open ticket, or
  // writing a reply or a note on it; the answer, and presence events from
  // other agents over SSE, redraw the chips ("山田 is replying"). Input
  // during IME composition does not count until the text is committed.
  const tab = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let lastInput = 0, lastState = "", lastSent = 0, presenceTicket = "", presenceTimer = 0;

  function presenceState() {
    const body = $("#body");
    if (!body || body.value.trim() === "" || Date.now() - lastInput > 20000) return "viewing";
    const note = $('#composer input[name="kind"][value="note"]');
    return note && note.checked ? "noting" : "replying";
  }

  function drawPresence(html) {
    const cur = $("#presence");
    if (!html || !cur) return;
    const fresh = $("#presence", parse(html));
    // Only a real change touches the live region, so nothing is re-announced.
    if (fresh && fresh.innerHTML.trim() !== cur.innerHTML.trim()) cur.innerHTML = fresh.innerHTML;
  }

  async function beat(force) {
    const id = openTicketID();
    if (!id || !$("#presence")) return;
    const state = presenceState();
    if (!force && state === lastState && Date.now() - lastSent < 14000) return;
    lastState = state; lastSent = Date.now(); presenceTicket = id;
    try {
      const r = await fetch("/tickets/" + id + "/presence", {
        method: "POST", credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
        body: new URLSearchParams({ state: state, tab: tab, csrf: csrf() }),
      });
      if (r.status === 200) drawPresence(await r.text());
    } catch (_) { /* offline: the next beat retries */ }
  }

  async function refreshPresence() {
    const id = openTicketID();
    if (!id || !$("#presence")) return;
    drawPresence(await get("/tickets/" + id + "/presence"));
  }

  function startPresence() {
    if (!openTicketID() || !$("#presence")) return;
    beat(true);
    presenceTimer = setInterval(() => beat(true), 15000);
    window.addEventListener("focus", () => beat(true));
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") beat(true); });
    document.addEventListener("input", (e) => {
      if (e.target.id !== "body" || e.isComposing) return;
      lastInput = Date.now();
      beat(false);
    });
    document.addEventListener("compositionend", (e) => {
      if (e.target.id !== "body") return;
      lastInput = Date.now();
      beat(false);
    });
    document.addEventListener("change", (e) => { if (e.target.name === "kind") beat(false); });
    window.addEventListener("pagehide", () => {
      clearInterval(presenceTimer);
      if (presenceTicket && navigator.sendBeacon) {
        navigator.sendBeacon("/tickets/" + presenceTicket + "/presence", new URLSearchParams({ state: "left", tab: tab, csrf: csrf() }));
      }
    });
  }

  // ---- Live events -----------------------------------------------------
  function startLive() {
    if (!document.body.dataset.live || !("EventSource" in window)) return;
    if (!$("#list") && !$("#thread")) return;
    const es = new EventSource("/events");
    es.onmessage = (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (_) { return; }
      const open = openTicketID();
      if (ev.type === "presence") {
        if (open && String(ev.ticket_id) === open && String(ev.actor_id) !== document.body.dataset.userId) refreshPresence();
        return;
      }
      scheduleRegions();
      if (open && String(ev.ticket_id) === open) {
        if (ev.type === "message.created") appendMessages(open);
        // Our own change is already on screen (with its "Saved" notice).
        const mine = String(ev.actor_id || "") === document.body.dataset.userId;
        if (ev.type === "ticket.updated" && !mine) refreshProps();
      }
    };
    window.addEventListener("pagehide", () => es.close());
  }

  // After htmx swaps the conversation (a reply was sent), keep the agent
  // where they were: focus back in the composer, thread scrolled down.
  let composerHadFocus = false;
  document.addEventListener("htmx:beforeRequest", (e) => {
    composerHadFocus = !!(e.target && e.target.id === "composer");
  });
  document.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail && e.detail.target && e.detail.target.id === "q-results") { instantShown(); return; }
    syncComposer();
    scrollThread(true);
    if (composerHadFocus && $("#body")) $("#body").focus();
    composerHadFocus = false;
    beat(false); // a sent reply leaves an empty composer: back to viewing
  });

  // The properties form sends only what the agent changed, so saving it never
  // undoes a change someone else made meanwhile to another field.
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!form.classList || !form.classList.contains("props-form")) return;
    const untouched = $$("select[name], input[name]:not([type=hidden])", form).filter((el) => !changed(el));
    untouched.forEach((el) => { el.disabled = true; });
    setTimeout(() => untouched.forEach((el) => { el.disabled = false; }), 0);
  }, true);

  // ---- Search as you type (the header box) -----------------------------
  // htmx asks /search/instant on "steward:query" (after 200 ms without
  // another, cancelling a request still running). It is fired here on
  // committed input only: never while an IME is composing (Japanese and
  // Chinese are typed as kana or pinyin first), and once on compositionend.
  const qBox = () => $("#q");
  const qList = () => $("#q-results");
  let qActive = -1;

  function instantOptions() { return $$('#q-results [role="option"]:not([aria-disabled="true"])'); }
  function instantClose() {
    const list = qList(), q = qBox();
    if (!list || !q) return;
    list.hidden = true;
    q.setAttribute("aria-expanded", "false");
    q.removeAttribute("aria-activedescendant");
    qActive = -1;
  }
  function instantShown() {
    const list = qList(), q = qBox();
    if (!list || !q) return;
    // A late answer for a box emptied (or left) meanwhile stays hidden.
    if (!q.value.trim() || document.activeElement !== q) { instantClose(); return; }
    list.hidden = list.children.length === 0;
    q.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    qActive = -1;
    q.removeAttribute("aria-activedescendant");
  }
  function instantMove(step) {
    const opts = instantOptions();
    if (!opts.length) return;
    const n = opts.length + 1; // the options, and -1: back in the box
    qActive = (((qActive + 1 + step) % n) + n) % n - 1;
    opts.forEach((o, i) => o.setAttribute("aria-selected", i === qActive ? "true" : "false"));
    const q = qBox();
    if (qActive >= 0) { q.setAttribute("aria-activedescendant", opts[qActive].id); opts[qActive].scrollIntoView({ block: "nearest" }); }
    else q.removeAttribute("aria-activedescendant");
  }
  function instantFire() {
    const q = qBox();
    if (!q || !window.htmx) return;
    if (!q.value.trim()) { instantClose(); return; }
    htmx.trigger(q, "steward:query");
  }
  function initInstant() {
    const q = qBox();
    if (!q) return;
    let composing = false;
    q.addEventListener("compositionstart", () => { composing = true; });
    q.addEventListener("compositionend", () => { composing = false; instantFire(); });
    q.addEventListener("input", (e) => { if (e.isComposing || composing) return; instantFire(); });
    q.addEventListener("keydown", (e) => {
      if (e.isComposing || e.keyCode === 229 || composing) return; // the IME's own Enter and arrows
      const open = !qList().hidden;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!open) {
          // Show what the box last found (htmx does not ask again for the same text).
          e.preventDefault();
          if (qList().children.length) instantShown(); else instantFire();
          return;
        }
        e.preventDefault();
        instantMove(e.key === "ArrowDown" ? 1 : -1);
      } else if (e.key === "Enter" && open && qActive >= 0) {
        e.preventDefault();
        location.href = instantOptions()[qActive].href;
      } else if (e.key === "Escape" && open) {
        e.preventDefault(); // keep the text (type=search would clear it)
        e.stopPropagation(); // and the focus: the next Esc leaves the box
        instantClose();
      }
    });
    // Leaving the box closes the list (after a click on an option has landed).
    q.addEventListener("blur", () => setTimeout(() => {
      const list = qList();
      if (list && !list.contains(document.activeElement) && document.activeElement !== q) instantClose();
    }, 150));
    q.addEventListener("focus", () => { if (q.value.trim() && qList().children.length) instantShown(); });
    // Options are links; a mouse press must not blur the box before the click.
    qList().addEventListener("mousedown", (e) => e.preventDefault());
  }

  // ---- Keyboard --------------------------------------------------------
  let keysOn = localStorage.getItem("steward.keys") !== "off";
  let gPending = 0;

  function rows() { return $$("#list .row"); }
  function selectRow(i) {
    const rs = rows();
    if (!rs.length) return;
    i = Math.max(0, Math.min(rs.length - 1, i));
    rs.forEach((r) => r.classList.remove("is-selected"));
    rs[i].classList.add("is-selected");
    $(".row-link", rs[i]).focus();
  }
  function currentRow() {
    const rs = rows();
    let i = rs.findIndex((r) => r.classList.contains("is-selected"));
    if (i < 0) i = rs.findIndex((r) => r.classList.contains("is-open"));
    return i;
  }
  function openRelative(step) {
    const rs = rows();
    const i = rs.findIndex((r) => r.classList.contains("is-open"));
    const next = rs[i + step];
    if (i >= 0 && next) location.href = $(".row-link", next).href;
  }
  function helpDialog() { return $("#help"); }
  function toggleHelp() {
    const d = helpDialog();
    if (!d) return;
    if (d.open) d.close(); else d.showModal();
  }

  function isTyping(t) {
    return t && t.closest && !!t.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
  }

  document.addEventListener("keydown", (e) => {
    // Never act while an IME is composing (Safari/macOS send 229 after compositionend).
    if (e.isComposing || e.keyCode === 229) return;
    const t = e.target;
    if (isTyping(t)) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.tagName === "TEXTAREA" && t.form) {
        e.preventDefault();
        t.form.requestSubmit();
      } else if (e.key === "Escape" && (t.tagName === "TEXTAREA" || t.type === "search")) {
        // Leave the field, keep the draft.
        t.blur();
        const thread = $("#thread");
        if (thread) { thread.tabIndex = -1; thread.focus({ preventScroll: true }); }
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (!keysOn) return;
    const d = helpDialog();
    if (d && d.open && e.key !== "?") return;

    if (gPending && Date.now() - gPending < 1500) {
      gPending = 0;
      const to = { i: "mine", u: "unassigned", a: "open", v: "mine" }[e.key];
      if (to) { e.preventDefault(); location.href = "/inbox?view=" + to; }
      return;
    }
    gPending = 0;
    switch (e.key) {
      case "j": e.preventDefault(); selectRow(currentRow() + 1); break;
      case "k": e.preventDefault(); selectRow(Math.max(0, currentRow() - 1)); break;
      case "o": case "Enter": {
        const i = currentRow();
        const rs = rows();
        if (i >= 0 && rs[i] && t === document.body) { e.preventDefault(); location.href = $(".row-link", rs[i]).href; }
        else if (e.key === "o" && i >= 0) { location.href = $(".row-link", rs[i]).href; }
        break;
      }
      case "u": {
        const w = $(".workspace.has-ticket");
        if (w) { e.preventDefault(); location.href = w.dataset.listUrl; }
        break;
      }
      case "]": openRelative(1); break;
      case "[": openRelative(-1); break;
      case "g": gPending = Date.now(); break;
      case "r": if ($("#composer")) { e.preventDefault(); setKind("reply"); } break;
      case "n": if ($("#composer")) { e.preventDefault(); setKind("note"); } break;
      case "i": { const f = $(".assign-me"); if (f) { e.preventDefault(); f.requestSubmit(); } break; }
      case "s": { const s = $("#p-status"); if (s) { e.preventDefault(); s.focus(); } break; }
      case "/": { const q = $("#q"); if (q) { e.preventDefault(); q.focus(); } break; }
      case "?": e.preventDefault(); toggleHelp(); break;
    }
  });

  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest("[data-help]")) toggleHelp();
  });

  function init() {
    const toggle = $("#keys-toggle");
    if (toggle) {
      toggle.checked = keysOn;
      toggle.addEventListener("change", () => {
        keysOn = toggle.checked;
        localStorage.setItem("steward.keys", keysOn ? "on" : "off");
      });
    }
    syncComposer();
    scrollThread(true);
    initInstant();
    const open = $("#list .row.is-open");
    if (open) open.scrollIntoView({ block: "nearest" });
    startLive();
    startPresence();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
