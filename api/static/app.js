// The page: submit a query, follow the job, read each agent's result, browse the history,
// download the metadata. Plain JavaScript against the API; no build step.
"use strict";

const AGENTS = [
  ["redshift-query-optimizer", "Query optimizer"],
  ["schema-normalizer", "Schema normalizer"],
  ["cost-saver", "Cost saver"],
  ["data-validation-agent", "Data validation"],
];
const POLL_MS = 1000;
const $ = (selector) => document.querySelector(selector);

// ------------------------------------------------------------------- API access

function apiKey() {
  return localStorage.getItem("optimizer-api-key") || "";
}

function readKeyFromUrl() {
  // A link like /#key=... fills in the key (the fragment never reaches the server).
  const match = location.hash.match(/key=([^&]+)/);
  if (match) {
    localStorage.setItem("optimizer-api-key", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);
  }
  $("#api-key").value = apiKey();
  $("#api-key").addEventListener("change", (e) => localStorage.setItem("optimizer-api-key", e.target.value.trim()));
}

class ApiError extends Error {
  constructor(status, detail) {
    super(describe(detail));
    this.status = status;
    this.detail = detail;
  }
}

function describe(detail) {
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc || []).filter((p) => p !== "body").join(".")}: ${d.msg}`).join("\n");
  }
  return String(detail || "request failed");
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "X-API-Key": apiKey(), "Content-Type": "application/json", ...(options.headers || {}) },
  });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
    if (response.status === 401) detail = `${describe(detail)} (enter your API key at the top)`;
    throw new ApiError(response.status, detail);
  }
  return response;
}

// ----------------------------------------------------------------------- helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function badge(text, kind = text) {
  return el("span", { class: `badge ${kind || ""}` }, text || "–");
}

function money(value) {
  return value === null || value === undefined ? "–" : `$${Number(value).toFixed(2)}`;
}

function section(title, items, render) {
  if (!items || !items.length) return null;
  return [el("h4", {}, title), el("ul", { class: "findings" }, items.map((item) => el("li", {}, render(item))))];
}

function cited(item) {
  return [item.text, item.cites && item.cites.length ? el("span", { class: "muted" }, ` [${item.cites.join(", ")}]`) : null];
}

// Word diff of the original and the rewrite (longest common subsequence of words, case
// and layout ignored): the rewrite as written, with what it adds marked and what it drops
// struck through. The rewrite is laid out anew, so a line diff would mark every line.
function sqlDiff(before, after) {
  const words = (text) => text.match(/\S+\s*/g) || [];
  const a = words(before), b = words(after);
  if (a.length * b.length > 4000000) return el("pre", { class: "diff" }, after);
  const same = (x, y) => x.trim().toLowerCase() === y.trim().toLowerCase();
  const n = a.length, m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = same(a[i], b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const parts = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && same(a[i], b[j])) { parts.push(b[j]); i++; j++; }
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) parts.push(el("ins", {}, b[j++]));
    else parts.push(el("del", {}, a[i++].trimEnd()), " ");
  }
  return el("pre", { class: "diff" }, parts);
}

// What the rewrite saves, said by the cost model that judged it: a plan's estimated cost
// (and measured times when both queries ran), or the zone-map rule, which claims no plan gain.
function rewriteCost(cost) {
  const n = (x) => (x === null || x === undefined ? "?" : Number(x).toLocaleString(undefined, { maximumFractionDigits: 1 }));
  let text = `Cost, judged by the ${cost.model}: plan cost ${n(cost.original)} → ${n(cost.rewrite)}`;
  text += cost.gain_pct !== null && cost.gain_pct !== undefined ? ` (${cost.gain_pct}% less)` : " (no plan gain claimed)";
  if (cost.original_ms !== null && cost.original_ms !== undefined && cost.rewrite_ms !== null && cost.rewrite_ms !== undefined) {
    text += `; measured ${n(cost.original_ms)} ms → ${n(cost.rewrite_ms)} ms`;
  }
  return el("div", { class: "rewrite-cost" }, text, cost.note ? el("div", { class: "muted" }, cost.note) : null);
}

function findingList(findings) {
  return section("Findings", findings, (f) => [
    badge(f.severity, f.severity), " ", el("strong", {}, `${f.code} ${f.title}`),
    f.line ? el("span", { class: "muted" }, ` (line ${f.line}, column ${f.col})`) : null,
    el("div", {}, f.message), el("div", { class: "muted" }, `Fix: ${f.fix}`),
  ]);
}

// ------------------------------------------------------------ agent renderings

const RENDER = {
  "redshift-query-optimizer": (result, original) => {
    const out = result.output || {};
    const parts = [];
    if (out.optimized_query) {
      parts.push(el("h4", {}, "Optimized SQL ", badge(`verification: ${result.verification}`, result.verification)));
      parts.push(sqlDiff(original || "", out.optimized_query));
      if (result.rewrite_cost) parts.push(rewriteCost(result.rewrite_cost));
      if (result.verification_notes && result.verification_notes.length) {
        parts.push(el("div", { class: "muted" }, result.verification_notes.join(" · ")));
      }
    } else {
      parts.push(el("p", { class: "muted" }, "No rewrite preserves the results; see the findings."));
    }
    parts.push(findingList(result.findings));
    parts.push(section("Analysis", out.analysis, cited));
    if (out.estimated_benefit) parts.push(el("h4", {}, "Estimated benefit"), el("p", {}, out.estimated_benefit.summary));
    parts.push(section("Additional actions", out.additional_actions, (a) => [cited(a), a.ddl ? el("pre", {}, a.ddl) : null]));
    return parts;
  },
  "schema-normalizer": (result) => {
    const out = result.output || {};
    const design = (r) => [el("strong", {}, r.table), r.column ? `.${r.column}` : "", ": ",
      r.current ? `${r.current} → ` : "", r.recommended, el("div", { class: "muted" }, r.text),
      r.ddl ? el("pre", {}, r.ddl) : null];
    return [
      section("Schema alerts", out.schema_findings, (s) => [el("strong", {}, s.table), ": ", cited(s)]),
      section("Distribution", out.distribution_recommendations, design),
      section("Sort keys", out.sort_key_recommendations, design),
      section("Encoding", out.encoding_recommendations, design),
      (out.schema_findings || []).length ? null : el("p", { class: "muted" }, "No schema alert for the tables this query reads."),
    ];
  },
  "cost-saver": (result) => {
    const out = result.output || {};
    const savings = out.estimated_savings || {};
    return [
      el("p", { class: "savings" }, `Estimated savings: ${Number(savings.seconds_per_day || 0).toFixed(1)} s/day, `,
        `${money(savings.money_per_day)}/day`),
      savings.basis ? el("p", { class: "muted" }, savings.basis) : null,
      section("Most expensive queries", out.high_cost_queries, (q) => [el("code", {}, q.query_hash),
        ` ${q.executions ?? "–"} runs, ${q.total_elapsed_seconds ?? "–"} s/day, ${money(q.cost_per_day)}/day`]),
      section("Cost reductions", out.cost_reduction_actions, (a) => [cited(a),
        el("span", { class: "muted" }, ` (${a.seconds_per_day ?? "–"} s/day, ${money(a.money_per_day)}/day)`)]),
      section("WLM", out.wlm_recommendations, cited),
      section("Storage", out.storage_optimizations, (s) => [el("strong", {}, s.table), ": ", cited(s)]),
      findingList(result.findings),
    ];
  },
  "data-validation-agent": (result) => {
    const out = result.output || {};
    const checks = out.validation_checks || [];
    return [
      el("p", {}, `Confidence ${(Number(out.confidence_score || result.confidence || 0) * 100).toFixed(0)}%`),
      checks.length ? el("table", {}, el("thead", {}, el("tr", {}, ["Check", "Table", "Column", "Status", "Observed", "Expected"].map((h) => el("th", {}, h)))),
        el("tbody", {}, checks.map((c) => el("tr", {}, el("td", {}, c.code), el("td", {}, c.table), el("td", {}, c.column || ""),
          el("td", {}, badge(c.status, c.status)), el("td", {}, JSON.stringify(c.observed ?? null)), el("td", {}, JSON.stringify(c.expected ?? null))))))
        : el("p", { class: "muted" }, "No validation check applies to the tables this query reads (no ETL manifest or earlier profile)."),
      section("Issues", out.issues_detected, (s) => [el("strong", {}, s.table), ": ", cited(s)]),
      section("Fixes", out.recommended_fixes, (s) => [el("strong", {}, s.table), ": ", cited(s)]),
      findingList(result.findings),
    ];
  },
};

function agentCard(agent, title, state, result, original) {
  const card = $("#agent-template").content.firstElementChild.cloneNode(true);
  card.dataset.agent = agent;
  card.dataset.state = state || "waiting";
  card.querySelector(".agent-title").textContent = title;
  const stateBadge = card.querySelector(".state");
  stateBadge.textContent = state || "waiting";
  stateBadge.classList.add(state || "waiting");
  const body = card.querySelector(".agent-body");
  if (result && result.status === "failed") {
    body.append(el("p", { class: "error" }, result.error || "the agent failed"));
  } else if (result) {
    const header = el("p", { class: "muted" }, result.severity ? badge(result.severity, result.severity) : "no finding",
      ` · ${result.engine}${result.model_id ? " " + result.model_id : ""} · ${result.prompt_version}`);
    body.append(header, el("div", { class: "result" }, RENDER[agent](result, original)));
  } else {
    body.append(el("p", { class: "muted" }, state === "skipped" ? "already analysed today: see the stored result" : "waiting for the agent…"));
  }
  return card;
}

function renderAgents(container, states, results, original) {
  container.replaceChildren(...AGENTS.map(([agent, title]) => {
    const state = states[agent];
    return agentCard(agent, title, state, results[agent], original);
  }));
}

// ------------------------------------------------------------------------ jobs

let polling = null;

async function submitQuery(event) {
  event.preventDefault();
  const error = $("#form-error");
  error.hidden = true;
  const body = { sql: $("#sql").value };
  if ($("#database").value.trim()) body.database = $("#database").value.trim();
  if ($("#schema").value.trim()) body.schema = $("#schema").value.trim();
  $("#submit").disabled = true;
  try {
    const job = await (await api("/optimize/redshift", { method: "POST", body: JSON.stringify(body) })).json();
    followJob(job);
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
    const where = Array.isArray(e.detail) ? e.detail.find((d) => d.line) : null;
    if (where) selectPosition($("#sql"), where.line, where.column);
  } finally {
    $("#submit").disabled = false;
  }
}

function selectPosition(textarea, line, column) {
  const lines = textarea.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(column - 1, 0);
  textarea.focus();
  textarea.setSelectionRange(offset, Math.min(offset + 1, textarea.value.length));
}

function followJob(accepted) {
  if (polling) clearTimeout(polling);
  $("#job-section").hidden = false;
  $("#job-id").textContent = accepted.job_id;
  $("#job-hash").textContent = accepted.query_hash;
  renderAgents($("#job-agents"), {}, {}, "");
  const poll = async () => {
    try {
      const job = await (await api(accepted.status_url)).json();
      showJob(job);
      if (job.status === "success" || job.status === "failed") {
        polling = null;
        loadHistory();
        return;
      }
    } catch (e) {
      $("#job-message").textContent = e.message;
    }
    polling = setTimeout(poll, POLL_MS);
  };
  poll();
}

function showJob(job) {
  const status = $("#job-status");
  status.textContent = job.status;
  status.className = `badge ${job.status}`;
  $("#job-section").dataset.status = job.status;
  $("#job-message").textContent = job.message || "";
  const states = {}, results = {};
  for (const agent of job.agents) {
    states[agent.agent] = agent.task_state;
    if (agent.result) results[agent.agent] = agent.result;
  }
  // Agents skipped because today's analysis exists: show the stored results.
  if (job.results) {
    for (const [agent, result] of Object.entries(job.results.agents)) {
      if (!results[agent]) { results[agent] = result; states[agent] = result.status === "succeeded" ? "success" : "failed"; }
    }
  }
  renderAgents($("#job-agents"), states, results, job.request.sql || "");
}

// --------------------------------------------------------------------- history

let historyCursor = null;

async function loadHistory(more = false) {
  const error = $("#history-error");
  error.hidden = true;
  const params = new URLSearchParams();
  const add = (name, value) => { if (value) params.set(name, value); };
  add("from", $("#h-from").value);
  add("to", $("#h-to").value);
  add("severity", $("#h-severity").value);
  add("agent", $("#h-agent").value);
  add("code", $("#h-code").value.trim());
  params.set("limit", "25");
  if (more && historyCursor) params.set("cursor", historyCursor);
  try {
    const page = await (await api(`/history?${params}`)).json();
    const body = $("#history-table tbody");
    if (!more) body.replaceChildren();
    for (const item of page.items) {
      const row = el("tr", { "data-hash": item.query_hash },
        el("td", {}, item.run_date), el("td", {}, item.severity ? badge(item.severity, item.severity) : "–"),
        el("td", {}, el("code", {}, item.query_hash)), el("td", {}, item.codes.join(" ")),
        el("td", {}, `${item.agents.length}/4${item.failed_agents.length ? " (" + item.failed_agents.length + " failed)" : ""}`),
        el("td", { class: "fingerprint", title: item.fingerprint }, item.fingerprint));
      row.addEventListener("click", () => showHistory(item.query_hash));
      body.append(row);
    }
    if (!body.children.length) body.append(el("tr", {}, el("td", { colSpan: 6, class: "muted" }, "No analysis matches.")));
    historyCursor = page.cursor;
    $("#history-more").hidden = !page.cursor;
  } catch (e) {
    if (e.status === 401) return;  // no key yet
    error.textContent = e.message;
    error.hidden = false;
  }
}

async function showHistory(queryHash) {
  try {
    const data = await (await api(`/history/${queryHash}`)).json();
    const record = data.records[0];
    const states = {};
    for (const [agent, result] of Object.entries(record.agents)) states[agent] = result.status === "succeeded" ? "success" : "failed";
    renderAgents($("#history-detail"), states, record.agents, record.query.query_text);
    $("#history-detail").scrollIntoView({ behavior: "smooth" });
  } catch (e) {
    $("#history-error").textContent = e.message;
    $("#history-error").hidden = false;
  }
}

// -------------------------------------------------------------------- metadata

async function download(path, fallbackName) {
  const status = $("#metadata-status");
  status.textContent = "downloading…";
  try {
    const response = await api(path);
    const blob = await response.blob();
    const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const link = el("a", { href: URL.createObjectURL(blob), download: name ? name[1] : fallbackName });
    document.body.append(link);
    link.click();
    link.remove();
    status.textContent = `${name ? name[1] : fallbackName}: ${(blob.size / 1024).toFixed(1)} KiB (ETag ${response.headers.get("ETag")})`;
  } catch (e) {
    status.textContent = e.message;
  }
}

// ------------------------------------------------------------------------ start

readKeyFromUrl();
$("#optimize-form").addEventListener("submit", submitQuery);
$("#history-form").addEventListener("submit", (e) => { e.preventDefault(); loadHistory(); });
$("#history-more").addEventListener("click", () => loadHistory(true));
$("#download-schema").addEventListener("click", () => download("/metadata/schema", "schema.json"));
$("#download-profile").addEventListener("click", () => {
  const day = $("#profile-date").value;
  download(`/metadata/data-profile${day ? "?date=" + day : ""}`, "profile.json");
});
loadHistory();
