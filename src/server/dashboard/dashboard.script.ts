/**
 * The dashboard page's browser module (served as `/dashboard/app.js`): loads `dashboard` over
 * HTTP with the pasted token (filtered by search, tags and, with a field mapping, a mapped Enum
 * field such as the loan stage), with `dashboardScope` (how many matched in all) and, per option
 * of that field, the count of matches it has, drawn as a small SVG bar chart by the page itself, subscribes to `contactEvents` over graphql-ws (the UMD client the
 * page loads first, `window.graphqlWs`), and on each event re-reads the dashboard (debounced) and
 * highlights the rows whose contact changed. Plain ES2020, no build step; kept as a string so the
 * TypeScript build ships it without copying assets. Everything is rendered with textContent.
 */
export const DASHBOARD_SCRIPT = String.raw`// Contacts Gateway dashboard (served by the gateway; no framework, no CDN).
const scriptTag = document.querySelector("script[data-endpoint]");
const endpoint = (scriptTag && scriptTag.dataset.endpoint) || "/graphql";
const $ = (id) => document.getElementById(id);
const form = $("controls");
const statusEl = $("status");
const announcer = $("announcer");
const table = $("contacts");
const tbody = table.querySelector("tbody");

// The mapped Enum field to filter and chart by (FIELD_MAPPING), when the gateway has one.
const stageField = (scriptTag && scriptTag.dataset.stageField) || null;
const stageOptions = stageField ? JSON.parse(scriptTag.dataset.stageOptions || "[]") : []; // [[ENUM_VALUE, "Option"], ...]
const stageLabel = new Map(stageOptions);
const stageCondition = (value) => ({ customFields: [{ key: stageField, operator: "EQ", value }] });

function dashboardQuery() {
  const vars = ["$first: Int!", "$query: String", "$tags: [String!]", "$filter: ContactFilter"];
  const counts = [];
  stageOptions.forEach((_, i) => {
    vars.push("$f" + i + ": ContactFilter");
    counts.push(" s" + i + ": dashboardScope(first: 1, query: $query, tags: $tags, filter: $f" + i + ") { totalCount }");
  });
  return "query Dashboard(" + vars.join(", ") + ") {" +
    " dashboard(first: $first, query: $query, tags: $tags, filter: $filter) { id name email companyName tags" +
    (stageField ? " fields { " + stageField + " }" : "") +
    " summary { openTaskCount overdueTaskCount openTasks { id title dueDate }" +
    " nextAppointment { id title startTime appointmentStatus } latestNote { id body dateAdded } lastActivityAt } }" +
    " scope: dashboardScope(first: $first, query: $query, tags: $tags, filter: $filter) { totalCount shown complete }" +
    counts.join("") + " }";
}
const EVENTS = "subscription Live { contactEvents { type contactId occurredAt } }";
const EVENT_LABELS = {
  CONTACT_CREATE: "contact created", CONTACT_UPDATE: "contact updated", CONTACT_DELETE: "contact deleted",
  CONTACT_TAG_UPDATE: "tags changed", CONTACT_DND_UPDATE: "do-not-disturb changed",
  TASK_CREATE: "task added", TASK_COMPLETE: "task completed", TASK_DELETE: "task deleted", TASK_UPDATE: "task edited",
  NOTE_CREATE: "note added", NOTE_UPDATE: "note edited", NOTE_DELETE: "note deleted",
  APPOINTMENT_CREATE: "appointment booked", APPOINTMENT_UPDATE: "appointment changed", APPOINTMENT_DELETE: "appointment cancelled",
};

let client = null;
let unsubscribe = null;
let settings = null;
let refreshTimer = null;
let loading = null;
const pendingChanges = new Map(); // contactId -> event label

function setStatus(text, kind) {
  statusEl.textContent = text;
  if (kind) statusEl.dataset.kind = kind; else delete statusEl.dataset.kind;
}

function readSettings() {
  const token = $("token").value.trim().replace(/^Bearer\s+/i, "");
  const query = $("search").value.trim();
  const tags = $("tags").value.split(",").map((t) => t.trim()).filter(Boolean);
  const first = Math.min(100, Math.max(1, parseInt($("first").value, 10) || 25));
  const stage = $("stage") ? $("stage").value || null : null;
  return { token, query: query || null, tags: tags.length ? tags : null, first, stage };
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
function formatTime(value) {
  if (!value) return "";
  let text = String(value);
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(text)) text = text.replace(" ", "T") + (/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? "" : "Z");
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? String(value) : dateFmt.format(d);
}

function el(tag, props, children) {
  const node = document.createElement(tag);
  if (props) for (const [k, v] of Object.entries(props)) {
    if (k === "text") node.textContent = v;
    else if (k === "className") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children || []) if (child) node.append(child);
  return node;
}
const none = (text) => el("span", { className: "none", text });

function renderRow(c) {
  const s = c.summary;
  const now = Date.now();
  const tasks = s.openTasks.length
    ? el("ul", null, s.openTasks.slice(0, 5).map((t) => {
        const late = t.dueDate && Date.parse(t.dueDate) < now;
        return el("li", { className: late ? "late" : "", "data-task-id": t.id },
          [t.title + (t.dueDate ? " — due " + formatTime(t.dueDate) + (late ? " (overdue)" : "") : "")]);
      }).concat(s.openTasks.length > 5 ? [el("li", { className: "none", text: "and " + (s.openTasks.length - 5) + " more" })] : []))
    : none("none open");
  const appt = s.nextAppointment
    ? el("span", null, [formatTime(s.nextAppointment.startTime), el("span", { className: "sub", text: s.nextAppointment.title || "" })])
    : none("none booked");
  const note = s.latestNote
    ? el("span", null, [s.latestNote.body.length > 140 ? s.latestNote.body.slice(0, 140) + "…" : s.latestNote.body,
        el("span", { className: "sub", text: formatTime(s.latestNote.dateAdded) })])
    : none("no notes");
  const name = c.name || c.email || c.id;
  const stageValue = stageField && c.fields ? c.fields[stageField] : null;
  const sub = [stageValue ? stageLabel.get(stageValue) || stageValue : null, c.companyName, c.email].filter(Boolean).join(" · ");
  return el("tr", { "data-contact-id": c.id, "data-stage": stageValue || "" }, [
    el("th", { scope: "row" }, [name, sub ? el("span", { className: "sub", text: sub }) : null]),
    el("td", { className: "num" + (s.overdueTaskCount > 0 ? " overdue" : ""), text: String(s.overdueTaskCount) }),
    el("td", { className: "num", text: String(s.openTaskCount) }),
    el("td", null, [tasks]),
    el("td", null, [appt]),
    el("td", null, [note]),
    el("td", null, [s.lastActivityAt ? formatTime(s.lastActivityAt) : none("–")]),
  ]);
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One horizontal bar per option, drawn here (no chart library): label, bar, count. */
function drawStageChart(data) {
  const chart = $("stage-bars");
  if (!chart) return;
  const counts = stageOptions.map(([value, option], i) => ({ value, option, count: (data["s" + i] && data["s" + i].totalCount) || 0 }));
  const max = Math.max(1, ...counts.map((c) => c.count));
  const rows = counts.map((c, i) => {
    const y = 4 + i * 26;
    const width = Math.round((c.count / max) * 260);
    const group = svg("g", { "data-stage": c.value, "data-count": c.count });
    group.append(
      svg("title", null, c.option + ": " + c.count),
      svg("text", { x: 0, y: y + 15, "font-size": 12, fill: "#57606a" }, c.option),
      svg("rect", { x: 130, y, width: Math.max(width, 1), height: 18, rx: 3, fill: settings && settings.stage === c.value ? "#b42318" : "#1f6feb" }),
      svg("text", { x: 136 + width, y: y + 14, "font-size": 12, fill: "#1f2328" }, String(c.count)),
    );
    return group;
  });
  chart.replaceChildren(...rows);
  chart.setAttribute("aria-label", counts.map((c) => c.option + " " + c.count).join(", "));
}

async function loadDashboard() {
  if (!settings) return;
  const mine = settings;
  table.setAttribute("aria-busy", "true");
  try {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + mine.token },
      body: JSON.stringify({ query: dashboardQuery(), variables: dashboardVariables(mine) }),
    });
    const body = await res.json().catch(() => ({ errors: [{ message: "The gateway answered " + res.status }] }));
    if (mine !== settings) return;
    if (body.errors && body.errors.length && !(body.data && body.data.dashboard)) {
      const e = body.errors[0];
      setStatus("Could not load: " + e.message + (e.extensions && e.extensions.code ? " (" + e.extensions.code + ")" : ""), "error");
      return;
    }
    const rows = body.data.dashboard;
    const scope = body.data.scope;
    $("scope").textContent = scope
      ? (scope.complete ? "All " + scope.totalCount + " matching contacts" : "The newest " + scope.shown + " of " + scope.totalCount + " matching contacts") + ", ordered by attention."
      : "";
    if (stageField) drawStageChart(body.data);
    const changed = new Map(pendingChanges);
    pendingChanges.clear();
    tbody.replaceChildren(...rows.map(renderRow));
    const names = [];
    for (const [contactId, label] of changed) {
      const row = tbody.querySelector('tr[data-contact-id="' + CSS.escape(contactId) + '"]');
      if (!row) continue;
      row.classList.add("changed");
      row.dataset.changedAt = String(Date.now());
      setTimeout(() => row.classList.remove("changed"), 4000);
      names.push(row.querySelector("th").firstChild.textContent + ": " + label);
    }
    if (names.length) announcer.textContent = "Updated " + names.join("; ");
    setStatus(rows.length + " contacts · " + (document.body.dataset.live === "connected" ? "live updates on" : "connecting live updates…"));
  } catch (error) {
    setStatus("Could not reach the gateway: " + (error && error.message ? error.message : error), "error");
  } finally {
    table.setAttribute("aria-busy", "false");
  }
}

function dashboardVariables(mine) {
  const variables = { first: mine.first, query: mine.query, tags: mine.tags, filter: mine.stage ? stageCondition(mine.stage) : null };
  stageOptions.forEach(([value], i) => { variables["f" + i] = stageCondition(value); });
  return variables;
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { loading = loadDashboard(); }, 120);
}

function subscribe() {
  if (unsubscribe) unsubscribe();
  if (client) client.dispose();
  document.body.dataset.live = "connecting";
  const wsUrl = new URL(endpoint, location.href);
  wsUrl.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const mine = settings;
  client = window.graphqlWs.createClient({
    url: wsUrl.href,
    connectionParams: { authorization: "Bearer " + mine.token },
    retryAttempts: 5,
    shouldRetry: (event) => !(event && event.code === 4403),
    on: {
      connected: () => {
        document.body.dataset.live = "connected";
        if (statusEl.dataset.kind !== "error") setStatus(statusEl.textContent.replace("connecting live updates…", "live updates on"));
      },
      closed: () => { if (mine === settings) document.body.dataset.live = "closed"; },
    },
  });
  unsubscribe = client.subscribe({ query: EVENTS }, {
    next: (result) => {
      const ev = result && result.data && result.data.contactEvents;
      if (!ev) return;
      if (ev.contactId) pendingChanges.set(ev.contactId, EVENT_LABELS[ev.type] || ev.type.toLowerCase());
      scheduleRefresh();
    },
    error: (error) => {
      const code = error && error.code;
      setStatus(code === 4403 ? "Live updates refused: the token is not valid for this gateway." : "Live updates stopped; press Show to reconnect.", "error");
    },
    complete: () => {},
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const next = readSettings();
  if (!next.token) {
    setStatus("Paste a caller token first.", "error");
    $("token").focus();
    return;
  }
  settings = next;
  setStatus("Loading…");
  loading = loadDashboard();
  subscribe();
});

// Demo mode prefills the token: show the dashboard straight away.
if ($("token").value.trim()) form.requestSubmit();
`;
