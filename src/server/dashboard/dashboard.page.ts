/**
 * The live dashboard page (`GET /dashboard`): plain HTML, one small vanilla ES module
 * (dashboard.script.ts) and the graphql-ws browser client served from node_modules. No CDN, no
 * framework. Accessible markup: labelled inputs, a real table with a caption and header scopes,
 * a polite live region that announces updates. Everything the page shows is inserted as text
 * (never as HTML), so upstream data cannot inject markup.
 */

export interface DashboardPageOptions {
  /** `Authorization` value prefilled in the token field (demo mode only: demo data). */
  prefillAuthorization?: string;
  /** GraphQL endpoint path (HTTP and graphql-ws). Default `/graphql`. */
  endpoint?: string;
  /** Where the page's script and the graphql-ws client are served. Default `/dashboard`. */
  basePath?: string;
  /** A mapped Enum field (FIELD_MAPPING) to filter by and chart: its GraphQL name, a label, and [enum value, picklist option] pairs. */
  stageField?: DashboardStageField;
}

export interface DashboardStageField {
  name: string;
  label: string;
  options: ReadonlyArray<readonly [string, string]>;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** The bearer part of an `Authorization` value ("Bearer x" -> "x"). */
function tokenOf(authorization: string | undefined): string {
  if (!authorization) return "";
  return authorization.replace(/^Bearer\s+/i, "").trim();
}

export function renderDashboardPage(options: DashboardPageOptions = {}): string {
  const endpoint = options.endpoint ?? "/graphql";
  const base = options.basePath ?? "/dashboard";
  const token = tokenOf(options.prefillAuthorization);
  const stage = options.stageField;
  const stageControl = stage
    ? `<div><label for="stage">${escapeHtml(stage.label)}</label><select id="stage" name="stage"><option value="">Any</option>${stage.options
        .map(([value, option]) => `<option value="${escapeHtml(value)}">${escapeHtml(option)}</option>`)
        .join("")}</select></div>`
    : "";
  const chart = stage
    ? `<figure id="stage-chart" aria-labelledby="stage-chart-caption"><figcaption id="stage-chart-caption">${escapeHtml(stage.label)} of the matching contacts (search, tags and other filters; every match, not only the rows shown)</figcaption><svg id="stage-bars" role="img" aria-label="No data yet" width="480" height="${stage.options.length * 26 + 8}"></svg></figure>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Contacts needing attention · Contacts Gateway</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light; --line: #d0d7de; --muted: #57606a; --hot: #b42318; --hl: #fff4c2; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; color: #1f2328; background: #f6f8fa; }
  header { background: #fff; border-bottom: 1px solid var(--line); padding: 0.75rem 1.25rem; }
  h1 { font-size: 1.25rem; margin: 0 0 0.5rem; }
  form { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; }
  form div { display: flex; flex-direction: column; gap: 0.2rem; }
  label { font-size: 0.8rem; font-weight: 600; color: var(--muted); }
  select { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid var(--line); border-radius: 6px; }
  figure { margin: 0 0 1rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.75rem; max-width: 520px; }
  figcaption { font-size: 0.8rem; color: var(--muted); margin-bottom: 0.25rem; }
  #scope { margin: 0 0 0.5rem; font-size: 0.9rem; color: var(--muted); }
  input { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid var(--line); border-radius: 6px; min-width: 12rem; }
  input#token { min-width: 22rem; }
  button { font: inherit; padding: 0.4rem 1rem; border-radius: 6px; border: 1px solid #1f6feb; background: #1f6feb; color: #fff; cursor: pointer; }
  button:focus-visible, input:focus-visible { outline: 3px solid #0969da; outline-offset: 1px; }
  #status { margin: 0.5rem 0 0; font-size: 0.9rem; color: var(--muted); min-height: 1.2em; }
  #status[data-kind="error"] { color: var(--hot); font-weight: 600; }
  main { padding: 1rem 1.25rem; overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); font-size: 0.9rem; }
  caption { text-align: left; padding: 0 0 0.5rem; color: var(--muted); }
  th, td { text-align: left; vertical-align: top; padding: 0.5rem 0.6rem; border-bottom: 1px solid var(--line); }
  thead th { background: #f0f3f6; position: sticky; top: 0; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; }
  tbody th { font-weight: 600; min-width: 11rem; }
  .sub { display: block; font-weight: 400; color: var(--muted); font-size: 0.8rem; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; width: 4.5rem; }
  td.overdue { color: var(--hot); font-weight: 700; }
  ul { margin: 0; padding-left: 1.1rem; }
  li.late { color: var(--hot); }
  .none { color: var(--muted); }
  tr.changed { animation: flash 4s ease-out; }
  tr.changed > * { box-shadow: inset 0 0 0 9999px rgba(255, 214, 10, 0.25); }
  @keyframes flash { from { background: var(--hl); } to { background: transparent; } }
  @media (prefers-reduced-motion: reduce) { tr.changed { animation: none; } }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
</style>
</head>
<body>
<header>
  <h1>Contacts needing attention</h1>
  <form id="controls" aria-label="Dashboard settings">
    <div><label for="token">Caller token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required value="${escapeHtml(token)}" aria-describedby="token-help">
      <span id="token-help" class="visually-hidden">A caller JWT with the contacts.readonly scope; printed by npm start in demo mode.</span></div>
    <div><label for="search">Search</label><input id="search" name="search" type="search" placeholder="name, email, company"></div>
    <div><label for="tags">Tags (comma-separated)</label><input id="tags" name="tags" type="text" placeholder="hot, vip"></div>
    ${stageControl}
    <div><label for="first">Rows</label><input id="first" name="first" type="number" min="1" max="100" value="25" style="min-width:5rem"></div>
    <button type="submit">Show</button>
  </form>
  <p id="status" role="status" aria-live="polite">Paste a caller token and press Show.</p>
</header>
<main>
  ${chart}
  <p id="scope"></p>
  <table id="contacts" aria-busy="false">
    <caption>Ordered by what needs attention: most overdue tasks first, then the soonest appointment. Rows update live as events arrive; a changed row is highlighted.</caption>
    <thead>
      <tr>
        <th scope="col">Contact</th>
        <th scope="col" class="num">Overdue</th>
        <th scope="col" class="num">Open</th>
        <th scope="col">Open tasks</th>
        <th scope="col">Next appointment</th>
        <th scope="col">Latest note</th>
        <th scope="col">Last activity</th>
      </tr>
    </thead>
    <tbody></tbody>
  </table>
  <div id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>
</main>
<script src="${escapeHtml(base)}/graphql-ws.js"></script>
<script type="module" src="${escapeHtml(base)}/app.js" data-endpoint="${escapeHtml(endpoint)}"${
    stage ? ` data-stage-field="${escapeHtml(stage.name)}" data-stage-options="${escapeHtml(JSON.stringify(stage.options))}"` : ""
  }></script>
</body>
</html>
`;
}
