/* dyads web page: hand-written JS + SVG over the JSON API. No dependencies, works offline.
 *
 * Views live in the URL hash (#/events?actor=ARM, #/article/<id>?event=<id>), so every state
 * is a link: the back button, bookmarks and "open in new tab" work, and the keyboard path is
 * the ordinary one (links and buttons). Data is inserted with textContent, never as HTML. */
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const FILTER_KEYS = ["actor", "partner", "code", "plover", "quad", "modality", "since", "until",
  "q", "story", "min_confidence", "one_per_story"];
const FILTER_VIEWS = new Set(["events", "network", "timeline"]);
const QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
  4: "material conflict"};
const QUAD_SHORT = {1: "V-coop", 2: "M-coop", 3: "V-confl", 4: "M-confl"};
const QUAD_COLOURS = {1: "#6baed6", 2: "#2166ac", 3: "#f4a582", 4: "#b2182b"};
const SORTS = [["-date", "Newest first"], ["date", "Oldest first"],
  ["goldstein", "Most conflictual"], ["-goldstein", "Most cooperative"],
  ["-confidence", "Most confident"], ["code", "CAMEO code"], ["source", "Source actor"]];
const PAGE_SIZES = [25, 50, 100, 200];
const VIEWS = {};
const state = {meta: null, view: "", arg: null, params: new URLSearchParams()};

/* ---------------------------------------------------------------- small DOM helpers */

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function main() { return document.getElementById("main"); }

function show(...nodes) {
  const el = main();
  el.replaceChildren(...nodes.flat().filter(Boolean));
  el.removeAttribute("aria-busy");
}

function capital(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : "";
}

function fmt(n, digits = 1) {
  if (n === null || n === undefined) return "–";
  return Number(n).toFixed(digits).replace("-", "−");
}

/* ---------------------------------------------------------------- API */

class ApiError extends Error {
  constructor(status, reason) { super(reason); this.status = status; }
}

async function api(path, params) {
  const query = params && String(params) ? `?${params}` : "";
  const res = await fetch(`${path}${query}`, {headers: {Accept: "application/json"}});
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new ApiError(res.status, (body && body.reason) || res.statusText);
  return body;
}

function errorBox(err) {
  const reason = err instanceof ApiError ? `${err.status}: ${err.message}` : String(err);
  return h("div", {class: "error", role: "alert"}, "Could not load this view. ", reason);
}

/* ---------------------------------------------------------------- routing */

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/events";
  const [path, query = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean);
  return {view: parts[0] || "events", arg: parts[1] ? decodeURIComponent(parts[1]) : null,
    params: new URLSearchParams(query)};
}

function link(view, params, arg) {
  const query = params && String(params) ? `?${params}` : "";
  return `#/${view}${arg ? `/${encodeURIComponent(arg)}` : ""}${query}`;
}

function filterParams(params) {
  const out = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    for (const value of params.getAll(key)) if (value !== "") out.append(key, value);
  }
  return out;
}

function articleLink(ev) {
  return link("article", new URLSearchParams({event: ev.event_id}), ev.article_id);
}

async function route() {
  if (location.hash && !location.hash.startsWith("#/")) return; // an in-page anchor
  const {view, arg, params} = parseHash();
  const changedView = state.view !== "" && view !== state.view;
  Object.assign(state, {view, arg, params});
  const render = VIEWS[view];
  for (const a of document.querySelectorAll(".top nav a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const withFilters = FILTER_VIEWS.has(view);
  document.querySelector(".layout").classList.toggle("no-filters", !withFilters);
  if (withFilters) syncForm(params);
  main().setAttribute("aria-busy", "true");
  if (!render) {
    show(h("h1", {}, "Not found"), h("p", {}, "No such view. ", h("a", {href: "#/events"},
      "Back to the events")));
    return;
  }
  try {
    await render(arg, params);
  } catch (err) {
    show(h("h1", {}, "Something went wrong"), errorBox(err));
  }
  const title = main().querySelector("h1");
  document.title = `${title ? title.textContent : view} · dyads`;
  if (changedView) main().focus({preventScroll: true});
}

/* ---------------------------------------------------------------- the filter form */

function syncForm(params) {
  const form = document.getElementById("filter-form");
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") {
      el.checked = params.getAll(el.name).includes(el.value);
    } else {
      el.value = params.get(el.name) || "";
    }
  }
  document.getElementById("form-error").textContent = "";
  const filter = filterParams(params);
  const exportQuery = String(filter) ? `?${filter}` : "";
  document.getElementById("export-csv").href = `/api/events.csv${exportQuery}`;
  document.getElementById("export-jsonl").href = `/api/events.jsonl${exportQuery}`;
}

function readForm() {
  const form = document.getElementById("filter-form");
  const out = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === "checkbox") {
      if (el.checked) out.append(el.name, el.value);
    } else if (el.value.trim() !== "") {
      out.append(el.name, el.value.trim());
    }
  }
  return out;
}

function setupForm() {
  const form = document.getElementById("filter-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const bad = [...form.elements].find((el) => el.willValidate && !el.checkValidity());
    if (bad) {
      const label = bad.labels && bad.labels[0] ? bad.labels[0].textContent.trim() : bad.name;
      document.getElementById("form-error").textContent =
        `${label}: ${bad.title || bad.validationMessage}`;
      bad.focus();
      return;
    }
    const next = readForm();
    // keep the view's own settings (sort, page size, level, period), restart paging
    for (const key of ["sort", "limit", "level", "period"]) {
      if (state.params.has(key)) next.set(key, state.params.get(key));
    }
    location.hash = link(FILTER_VIEWS.has(state.view) ? state.view : "events", next);
  });
  document.getElementById("reset").addEventListener("click", () => {
    location.hash = link(FILTER_VIEWS.has(state.view) ? state.view : "events");
  });
}

function fillFacets(meta) {
  const list = document.getElementById("country-list");
  list.replaceChildren(...meta.countries.map((c) => h("option", {value: c.value}, c.name)));
  const plover = document.querySelector('select[name="plover"]');
  plover.replaceChildren(h("option", {value: ""}, "any"),
    ...meta.plover_types.map((p) => h("option", {value: p.value}, `${p.name} (${p.events})`)));
  const range = meta.first_date ? `${meta.first_date} → ${meta.last_date}` : "no dated events";
  document.getElementById("stats").textContent =
    `${meta.counts.events} events · ${meta.counts.articles} articles · ` +
    `${meta.counts.stories} stories · ${range}` + (meta.writable ? "" : " · read-only");
}

/* Active filters as removable chips, so a filter set by a click elsewhere stays visible. */
function chips(params, view) {
  const filter = filterParams(params);
  if (!String(filter)) return null;
  const items = [];
  for (const [key, value] of filter) {
    const label = key === "quad" ? `quad: ${QUAD_NAMES[value] || value}` :
      key === "one_per_story" ? "one per story" : `${key.replace("_", " ")}: ${value}`;
    const rest = new URLSearchParams(params);
    const kept = rest.getAll(key).filter((v) => v !== value);
    rest.delete(key);
    for (const v of kept) rest.append(key, v);
    rest.delete("offset");
    items.push(h("span", {class: "chip"}, label,
      h("button", {type: "button", "aria-label": `remove filter ${label}`,
        onclick: () => { location.hash = link(view, rest); }}, "×")));
  }
  return h("div", {class: "chips", "aria-label": "active filters"}, items);
}

/* ---------------------------------------------------------------- shared renderers */

function quadTag(ev) {
  const q = ev.quad_class;
  return h("span", {class: `qtag q${q}`, title: QUAD_NAMES[q] || ""}, ev.cameo_code);
}

function actorCell(code, name) {
  return h("td", {}, h("span", {class: "code"}, code || "–"),
    name && name !== code ? h("span", {class: "sub"}, name) : null);
}

function eventRow(ev) {
  const href = articleLink(ev);
  const badges = [];
  if (ev.modality && ev.modality !== "asserted") {
    badges.push(h("span", {class: "badge", title: ev.speaker ? `speaker: ${ev.speaker}` : ""},
      ev.modality));
  }
  const row = h("tr", {"data-event": ev.event_id},
    h("td", {class: "date"}, ev.date || "undated"),
    actorCell(ev.source_code, ev.source_name),
    h("td", {}, quadTag(ev), capital(ev.cameo_name), badges,
      ev.plover_type ? h("span", {class: "sub"}, ev.plover_type.toLowerCase()) : null),
    actorCell(ev.target_code, ev.target_name),
    h("td", {class: "evidence"}, h("a", {href, class: "clamp",
      "aria-label": `${ev.source_code} ${ev.cameo_name} ${ev.target_code}: ${ev.evidence}`},
    ev.evidence), h("span", {class: "sub"}, ev.doc_name)),
    h("td", {class: "num"}, fmt(ev.goldstein)),
    h("td", {class: "num"}, fmt(ev.confidence, 2)));
  // the whole row is clickable for the mouse; the evidence link is the keyboard path
  row.addEventListener("click", (event) => {
    if (event.target.closest("a, button")) return;
    location.hash = href;
  });
  return row;
}

function eventsTable(items, caption) {
  return h("table", {class: "data events"},
    caption ? h("caption", {class: "visually-hidden"}, caption) : null,
    h("thead", {}, h("tr", {},
      h("th", {scope: "col"}, "Date"), h("th", {scope: "col"}, "Source"),
      h("th", {scope: "col"}, "Event"), h("th", {scope: "col"}, "Target"),
      h("th", {scope: "col"}, "Evidence (opens the article)"),
      h("th", {scope: "col", class: "num", title: "Goldstein score, −10 to +10"}, "Goldst."),
      h("th", {scope: "col", class: "num"}, "Conf."))),
    h("tbody", {}, items.map(eventRow)));
}

function pager(view, params, page, noun) {
  const {total, limit, offset} = page;
  const to = Math.min(offset + limit, total);
  const go = (off) => {
    const next = new URLSearchParams(params);
    if (off > 0) next.set("offset", off); else next.delete("offset");
    location.hash = link(view, next);
  };
  return h("nav", {class: "pager", "aria-label": `${noun} pages`},
    h("button", {type: "button", disabled: offset <= 0,
      onclick: () => go(Math.max(0, offset - limit))}, "← Previous"),
    h("span", {class: "where"}, total ? `${offset + 1}–${to} of ${total}` : `0 of 0`),
    h("button", {type: "button", disabled: page.next_offset === null,
      onclick: () => go(page.next_offset)}, "Next →"));
}

function select(label, name, options, value, onchange) {
  const id = `${name}-select`;
  return h("span", {}, h("label", {for: id}, label), h("select", {id, name,
    onchange: (e) => onchange(e.target.value)},
  options.map(([v, text]) => h("option", {value: v, selected: String(v) === String(value)},
    text))));
}

/* ---------------------------------------------------------------- events view */

VIEWS.events = async (_arg, params) => {
  const query = filterParams(params);
  const limit = params.get("limit") || "50";
  const sort = params.get("sort") || "-date";
  query.set("limit", limit);
  query.set("sort", sort);
  if (params.get("offset")) query.set("offset", params.get("offset"));
  const page = await api("/api/events", query);
  const setParam = (key) => (value) => {
    const next = new URLSearchParams(params);
    next.set(key, value);
    next.delete("offset");
    location.hash = link("events", next);
  };
  const title = h("h1", {}, "Events");
  const toolbar = h("div", {class: "toolbar"},
    h("span", {class: "count", role: "status"},
      `${page.total} event${page.total === 1 ? "" : "s"} match`),
    select("Sort", "sort", SORTS, sort, setParam("sort")),
    select("Per page", "limit", PAGE_SIZES.map((n) => [n, n]), limit, setParam("limit")));
  const body = page.items.length ? eventsTable(page.items) :
    h("p", {class: "empty"}, "No event matches this filter. Widen the dates or remove a filter.");
  show(title, h("p", {class: "hint"}, "Who did what to whom, with the sentence that says so. " +
    "Choose an event's evidence to read it in its article."), chips(params, "events"), toolbar,
  body, page.total > page.limit ? pager("events", params, page, "Events") : null);
};

/* ---------------------------------------------------------------- network view */

const EDGE_BUCKETS = [
  {max: -4, colour: "#b2182b", label: "strong conflict (≤ −4)"},
  {max: -0.5, colour: "#ef8a62", label: "conflict"},
  {max: 0.5, colour: "#8c96a3", label: "neutral"},
  {max: 4, colour: "#67a9cf", label: "cooperation"},
  {max: Infinity, colour: "#2166ac", label: "strong cooperation (> 4)"},
];

function edgeBucket(mean) {
  const value = mean === null || mean === undefined ? 0 : mean;
  return EDGE_BUCKETS.findIndex((b) => value <= b.max);
}

/* Connected components, largest first (each a list of node ids in code order). */
function components(nodes, edges) {
  const parent = new Map(nodes.map((n) => [n.id, n.id]));
  const find = (x) => {
    while (parent.get(x) !== x) { parent.set(x, parent.get(parent.get(x))); x = parent.get(x); }
    return x;
  };
  for (const e of edges) parent.set(find(e.source), find(e.target));
  const groups = new Map();
  for (const node of nodes) {
    const root = find(node.id);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root).push(node.id);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : 1));
}

/* A small deterministic force layout of one component inside a box. */
function forceLayout(ids, edges, box) {
  const pos = new Map();
  const n = ids.length;
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  if (n === 1) { pos.set(ids[0], {x: cx, y: cy}); return pos; }
  if (n === 2) {
    pos.set(ids[0], {x: box.x, y: cy});
    pos.set(ids[1], {x: box.x + box.w, y: cy});
    return pos;
  }
  ids.forEach((id, i) => {
    const angle = (2 * Math.PI * i) / n;
    pos.set(id, {x: cx + (box.w / 3) * Math.cos(angle), y: cy + (box.h / 3) * Math.sin(angle)});
  });
  const inside = new Set(ids);
  const links = edges.filter((e) => inside.has(e.source) && inside.has(e.target));
  const k = Math.sqrt((box.w * box.h) / n) * 0.75;
  let temperature = box.w / 6;
  for (let iter = 0; iter < 300; iter++) {
    const disp = new Map(ids.map((id) => [id, {x: 0, y: 0}]));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const a = pos.get(ids[i]);
        const b = pos.get(ids[j]);
        let dx = a.x - b.x;
        let dy = a.y - b.y;
        const dist = Math.max(Math.hypot(dx, dy), 0.01);
        const force = (k * k) / dist;
        dx /= dist; dy /= dist;
        disp.get(ids[i]).x += dx * force; disp.get(ids[i]).y += dy * force;
        disp.get(ids[j]).x -= dx * force; disp.get(ids[j]).y -= dy * force;
      }
    }
    for (const e of links) {
      const a = pos.get(e.source);
      const b = pos.get(e.target);
      const dx = a.x - b.x;
      const dy = a.y - b.y;
      const dist = Math.max(Math.hypot(dx, dy), 0.01);
      const force = (dist * dist) / k;
      disp.get(e.source).x -= (dx / dist) * force; disp.get(e.source).y -= (dy / dist) * force;
      disp.get(e.target).x += (dx / dist) * force; disp.get(e.target).y += (dy / dist) * force;
    }
    for (const id of ids) {
      const p = pos.get(id);
      const d = disp.get(id);
      const len = Math.max(Math.hypot(d.x, d.y), 0.01);
      p.x += (d.x / len) * Math.min(len, temperature);
      p.y += (d.y / len) * Math.min(len, temperature);
    }
    temperature = Math.max(temperature * 0.97, 0.5);
  }
  // stretch the result over the box, keeping its proportions
  const xs = ids.map((id) => pos.get(id).x);
  const ys = ids.map((id) => pos.get(id).y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min(box.w / Math.max(x1 - x0, 1), box.h / Math.max(y1 - y0, 1));
  const ox = box.x + (box.w - (x1 - x0) * scale) / 2;
  const oy = box.y + (box.h - (y1 - y0) * scale) / 2;
  for (const p of pos.values()) {
    p.x = ox + (p.x - x0) * scale;
    p.y = oy + (p.y - y0) * scale;
  }
  return pos;
}

/* Components are laid out one by one and packed in rows (largest first), so that pairs that
 * talk only to each other do not push the main cluster into a corner. Returns the positions
 * and the height the drawing needs. */
function layout(nodes, edges, width) {
  const margin = {x: 34, y: 30, label: 46};
  const pos = new Map();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  components(nodes, edges).forEach((ids, index) => {
    const side = Math.max(150, 78 * Math.sqrt(ids.length));
    // the main cluster gets the whole width; the small ones share rows below it
    const main = index === 0 && ids.length > 6;
    const w = main ? width : Math.min(width, ids.length > 6 ? side * 1.35 : side);
    const h = main ? Math.min(Math.max(side, 420), 560) : Math.min(side, 560);
    if (x > 0 && x + w > width) { x = 0; y += rowHeight; rowHeight = 0; }
    const mx = main ? margin.x : 16;
    const box = {x: x + mx, y: y + margin.y, w: w - 2 * mx - margin.label, h: h - 2 * margin.y};
    for (const [id, p] of forceLayout(ids, edges, box)) pos.set(id, p);
    x += w;
    rowHeight = Math.max(rowHeight, h);
  });
  return {pos, height: Math.max(y + rowHeight, 200)};
}

function networkSvg(data, params) {
  const width = 760;
  const {pos, height} = layout(data.nodes, data.edges, width);
  const maxNode = Math.max(...data.nodes.map((n) => n.events), 1);
  const big = data.nodes.length > 30;
  const radius = (node) => (big ? 5 : 7) + (big ? 9 : 14) * Math.sqrt(node.events / maxNode);
  // with many nodes only the busiest are labelled; the others name themselves on hover/focus
  const labelled = new Set(data.nodes.slice().sort((a, b) => b.events - a.events)
    .slice(0, big ? 20 : data.nodes.length).map((n) => n.id));
  const radii = new Map(data.nodes.map((n) => [n.id, radius(n)]));
  const maxEdge = Math.max(...data.edges.map((e) => e.events), 1);
  const defs = s("defs", {}, EDGE_BUCKETS.map((b, i) => s("marker", {
    id: `arrow${i}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 9, markerHeight: 9,
    markerUnits: "userSpaceOnUse", orient: "auto-start-reverse"},
  s("path", {d: "M0,0 L10,5 L0,10 z", fill: b.colour}))));
  const base = filterParams(params);
  const edges = data.edges.map((e) => {
    const a = pos.get(e.source);
    const b = pos.get(e.target);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.max(Math.hypot(dx, dy), 1);
    const [ux, uy] = [dx / len, dy / len];
    const bend = 0.18 * len; // A→B and B→A bend to opposite sides
    const cx = (a.x + b.x) / 2 - uy * bend;
    const cy = (a.y + b.y) / 2 + ux * bend;
    const ra = radii.get(e.source) + 2;
    const rb = radii.get(e.target) + 4;
    const start = towards(a, {x: cx, y: cy}, ra);
    const end = towards(b, {x: cx, y: cy}, rb);
    const d = `M${start.x.toFixed(1)},${start.y.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ` +
      `${end.x.toFixed(1)},${end.y.toFixed(1)}`;
    const bucket = edgeBucket(e.goldstein_mean);
    const dyad = new URLSearchParams(base);
    dyad.set("actor", e.source);
    dyad.set("partner", e.target);
    const label = `${e.source} → ${e.target}: ${e.events} event${e.events === 1 ? "" : "s"}` +
      ` (${e.verbal_coop + e.material_coop} cooperative, ` +
      `${e.verbal_conflict + e.material_conflict} conflictual), mean Goldstein ` +
      `${fmt(e.goldstein_mean)}. Open the dyad timeline.`;
    return s("a", {href: link("timeline", dyad), class: "edge", "aria-label": label},
      s("title", {}, label),
      s("path", {class: "hit", d}),
      s("path", {class: "line", d, stroke: EDGE_BUCKETS[bucket].colour,
        "stroke-width": (1.5 + 4 * Math.sqrt(e.events / maxEdge)).toFixed(1),
        "marker-end": `url(#arrow${bucket})`}));
  });
  const nodes = data.nodes.map((node) => {
    const p = pos.get(node.id);
    const r = radii.get(node.id);
    const only = new URLSearchParams(base);
    only.set("actor", node.id);
    only.delete("partner");
    const label = `${node.name} (${node.id}): ${node.sent} sent, ${node.received} received. ` +
      "Show its events.";
    return s("a", {href: link("events", only), class: "node", "aria-label": label},
      s("title", {}, label),
      s("circle", {cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: r.toFixed(1)}),
      s("circle", {class: "ring", cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: (r + 4).toFixed(1)}),
      labelled.has(node.id) ?
        s("text", {x: (p.x + r + 3).toFixed(1), y: (p.y + 4).toFixed(1)}, node.id) : null);
  });
  return s("svg", {viewBox: `0 0 ${width} ${height}`, class: "network-svg", role: "group",
    "aria-label": `Network of ${data.nodes.length} actors and ${data.edges.length} directed dyads`},
  defs, s("g", {}, edges), s("g", {}, nodes));
}

function towards(from, to, distance) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const len = Math.max(Math.hypot(dx, dy), 1);
  return {x: from.x + (dx / len) * distance, y: from.y + (dy / len) * distance};
}

function balanceBar(e) {
  const parts = [1, 2, 3, 4].map((q) => [q, e[["", "verbal_coop", "material_coop",
    "verbal_conflict", "material_conflict"][q]]]);
  return h("span", {class: "balance", "aria-hidden": "true"}, parts.filter(([, n]) => n > 0)
    .map(([q, n]) => h("span", {style: null, "data-q": q, "data-w": (100 * n) / e.events})));
}

VIEWS.network = async (_arg, params) => {
  const level = params.get("level") === "actor" ? "actor" : "country";
  const query = filterParams(params);
  query.set("level", level);
  const data = await api("/api/network", query);
  const title = h("h1", {}, "Network");
  const setLevel = (value) => {
    const next = new URLSearchParams(params);
    next.set("level", value);
    location.hash = link("network", next);
  };
  const toolbar = h("div", {class: "toolbar"},
    h("span", {class: "count", role: "status"}, `${data.total_events} events between ` +
      `${data.nodes.length} ${level === "country" ? "countries and organisations" : "actors"}` +
      (data.truncated ? " (busiest dyads only)" : "")),
    select("Nodes", "level", [["country", "countries"], ["actor", "actors (GOV, MIL…)"]], level,
      setLevel));
  if (!data.edges.length) {
    show(title, chips(params, "network"), toolbar,
      h("p", {class: "empty"}, "No dyad matches this filter."));
    return;
  }
  const legend = h("div", {class: "legend"}, h("span", {}, "Arrow colour: mean Goldstein"),
    EDGE_BUCKETS.map((b) => h("span", {}, h("span", {class: "sw", "data-colour": b.colour}),
      b.label)), h("span", {}, "width: number of events · choose an arrow for the dyad " +
      "timeline, a node for its events"));
  const rows = data.edges.map((e) => {
    const dyad = filterParams(params);
    dyad.set("actor", e.source);
    dyad.set("partner", e.target);
    return h("tr", {},
      h("td", {}, h("a", {href: link("timeline", dyad),
        "aria-label": `${e.source} to ${e.target}: timeline`},
      h("span", {class: "code"}, e.source), " → ", h("span", {class: "code"}, e.target)),
      balanceBar(e)),
      h("td", {class: "num"}, h("a", {href: link("events", dyad),
        "aria-label": `${e.events} events between ${e.source} and ${e.target}`}, e.events)),
      h("td", {class: "num"}, fmt(e.goldstein_mean)));
  });
  const table = h("table", {class: "data dyads"},
    h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "Dyad"),
      h("th", {scope: "col", class: "num"}, "Events"),
      h("th", {scope: "col", class: "num", title: "mean Goldstein score"}, "Mean G."))),
    h("tbody", {}, rows));
  show(title, chips(params, "network"), toolbar, legend,
    h("div", {class: "split"}, h("div", {class: "chart"}, networkSvg(data, params)),
      h("div", {}, table)));
  paintSwatches();
};

/* Colours go through the CSSOM (style attributes would need 'unsafe-inline' in the CSP). */
function paintSwatches() {
  for (const el of main().querySelectorAll("[data-colour]")) {
    el.style.background = el.dataset.colour;
  }
  for (const el of main().querySelectorAll("[data-q]")) {
    el.style.background = QUAD_COLOURS[el.dataset.q];
    if (el.dataset.w) el.style.width = `${el.dataset.w}%`;
  }
}

/* ---------------------------------------------------------------- timeline view */

const DAY = 86400000;

function parseDay(text) { return new Date(`${text}T00:00:00Z`).getTime(); }

function periodEnd(start, period) {
  const d = new Date(start);
  if (period === "week") return start + 7 * DAY;
  if (period === "year") return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function ticks(t0, t1) {
  const out = [];
  const span = (t1 - t0) / DAY;
  const first = new Date(t0);
  const monthly = span <= 500;
  const step = span <= 100 ? 1 : span <= 500 ? 3 : 12;
  let y = first.getUTCFullYear();
  let m = monthly ? first.getUTCMonth() : 0;
  if (!monthly) y += 1;
  for (let i = 0; i < 200; i++) {
    const t = Date.UTC(y, m, 1);
    if (t > t1) break;
    if (t >= t0 && (monthly ? m % step === 0 : true)) {
      out.push({t, label: monthly ? `${y}-${String(m + 1).padStart(2, "0")}` : String(y)});
    }
    if (monthly) { m += 1; if (m > 11) { m = 0; y += 1; } } else { y += 1; }
  }
  return out;
}

function timelineSvg(data, width) {
  const height = 380;
  const left = 56;
  const right = 16;
  const dotsTop = 16;
  const dotsBottom = 220;
  const barsTop = 250;
  const barsBottom = 350;
  const period = data.period;
  const starts = data.buckets.map((b) => parseDay(b.period));
  let t0 = Math.min(...starts);
  let t1 = Math.max(...starts.map((t) => periodEnd(t, period)));
  for (const ev of data.events) {
    t0 = Math.min(t0, parseDay(ev.date));
    t1 = Math.max(t1, parseDay(ev.date) + DAY);
  }
  const pad = Math.max((t1 - t0) * 0.03, 3 * DAY);
  t0 -= pad;
  t1 += pad;
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const y = (g) => dotsTop + ((10 - g) / 20) * (dotsBottom - dotsTop);
  const maxCount = Math.max(...data.buckets.map((b) => Math.max(
    b.verbal_coop + b.material_coop, b.verbal_conflict + b.material_conflict)), 1);
  const mid = (barsTop + barsBottom) / 2;
  const barScale = (n) => (n / maxCount) * ((barsBottom - barsTop) / 2);
  const grid = ticks(t0, t1).map((tick) => s("g", {class: "axis"},
    s("line", {x1: x(tick.t), x2: x(tick.t), y1: dotsTop, y2: barsBottom, class: "gridline"}),
    s("text", {x: x(tick.t), y: height - 10, "text-anchor": "middle"}, tick.label)));
  const yAxis = [-10, -5, 0, 5, 10].map((g) => s("g", {class: "axis"},
    s("line", {x1: left - 4, x2: left, y1: y(g), y2: y(g)}),
    s("text", {x: left - 8, y: y(g) + 4, "text-anchor": "end"}, g > 0 ? `+${g}` : fmt(g, 0))));
  const bars = [];
  for (const b of data.buckets) {
    const xa = x(parseDay(b.period));
    const xb = x(periodEnd(parseDay(b.period), period));
    const w = Math.max(xb - xa - 2, 2);
    let up = mid;
    for (const [q, n] of [[1, b.verbal_coop], [2, b.material_coop]]) {
      if (!n) continue;
      const hgt = barScale(n);
      up -= hgt;
      bars.push(s("rect", {x: xa + 1, y: up, width: w, height: hgt, fill: QUAD_COLOURS[q]},
        s("title", {}, `${b.period}: ${n} ${QUAD_NAMES[q]}`)));
    }
    let down = mid;
    for (const [q, n] of [[3, b.verbal_conflict], [4, b.material_conflict]]) {
      if (!n) continue;
      const hgt = barScale(n);
      bars.push(s("rect", {x: xa + 1, y: down, width: w, height: hgt, fill: QUAD_COLOURS[q]},
        s("title", {}, `${b.period}: ${n} ${QUAD_NAMES[q]}`)));
      down += hgt;
    }
  }
  const seen = new Map();
  const dots = data.events.map((ev) => {
    const t = parseDay(ev.date);
    const key = `${ev.date}|${ev.goldstein}`;
    const nth = seen.get(key) || 0;
    seen.set(key, nth + 1);
    const cx = x(t) + (nth % 2 ? 1 : -1) * Math.ceil(nth / 2) * 9;
    const label = `${ev.date} ${ev.source_code} ${ev.cameo_name} ${ev.target_code} ` +
      `(Goldstein ${fmt(ev.goldstein)}): ${ev.evidence}`;
    return s("a", {href: articleLink(ev), class: "dot", "aria-label": label},
      s("title", {}, label),
      s("circle", {cx: cx.toFixed(1), cy: y(ev.goldstein).toFixed(1), r: 6,
        fill: QUAD_COLOURS[ev.quad_class] || "#888"}),
      s("circle", {class: "ring", cx: cx.toFixed(1), cy: y(ev.goldstein).toFixed(1), r: 9}));
  });
  return s("svg", {viewBox: `0 0 ${width} ${height}`, role: "group",
    "aria-label": `Timeline of ${data.events.length} events`},
  s("g", {}, grid),
  s("line", {class: "zero", x1: left, x2: width - right, y1: y(0), y2: y(0)}),
  s("line", {class: "zero", x1: left, x2: width - right, y1: mid, y2: mid}),
  s("g", {}, yAxis),
  s("text", {class: "label muted", x: left + 6, y: dotsTop + 4, "dominant-baseline": "hanging"},
    "↑ cooperation (Goldstein +10)"),
  s("text", {class: "label muted", x: left + 6, y: dotsBottom - 4}, "↓ conflict (−10)"),
  s("text", {class: "label", x: left, y: barsTop - 8},
    `events per ${period}: cooperation above the line, conflict below`),
  s("g", {}, bars), s("g", {}, dots));
}

VIEWS.timeline = async (_arg, params) => {
  const period = ["week", "month", "year"].includes(params.get("period")) ?
    params.get("period") : "month";
  const query = filterParams(params);
  query.set("period", period);
  const data = await api("/api/timeline", query);
  const actor = params.get("actor");
  const partner = params.get("partner");
  const title = h("h1", {}, actor && partner ? `Dyad timeline: ${actor.toUpperCase()} ↔ ` +
    `${partner.toUpperCase()}` : actor ? `Timeline: ${actor.toUpperCase()}` : "Timeline");
  const setPeriod = (value) => {
    const next = new URLSearchParams(params);
    next.set("period", value);
    location.hash = link("timeline", next);
  };
  const coop = data.buckets.reduce((n, b) => n + b.verbal_coop + b.material_coop, 0);
  const conflict = data.buckets.reduce((n, b) => n + b.verbal_conflict + b.material_conflict, 0);
  const mean = data.events.length ?
    data.events.reduce((n, e) => n + e.goldstein, 0) / data.events.length : null;
  const toolbar = h("div", {class: "toolbar"},
    h("span", {class: "count", role: "status"}, `${data.total_events} dated events: ${coop} ` +
      `cooperative, ${conflict} conflictual, mean Goldstein ${fmt(mean)}` +
      (data.truncated ? ` (first ${data.events.length} drawn)` : "")),
    select("Bars per", "period", [["week", "week"], ["month", "month"], ["year", "year"]],
      period, setPeriod));
  const hint = actor && partner ? null : h("p", {class: "hint"}, "For one dyad, fill in " +
    "Actor and With in the filters, or choose an arrow in the Network.");
  if (!data.events.length) {
    show(title, hint, chips(params, "timeline"), toolbar,
      h("p", {class: "empty"}, "No dated event matches this filter."));
    return;
  }
  const legend = h("div", {class: "legend"}, [1, 2, 3, 4].map((q) =>
    h("span", {}, h("span", {class: "dot", "data-q": q}), QUAD_NAMES[q])),
  h("span", {}, "each dot is an event at its Goldstein score; choose it to read the sentence"));
  const chart = h("div", {class: "chart"});
  show(title, hint, chips(params, "timeline"), toolbar, legend, chart,
    h("h2", {class: "section"}, "The events, newest first"), eventsTable(data.events.slice().reverse()));
  chart.append(timelineSvg(data, Math.max(chart.clientWidth || 900, 600)));
  paintSwatches();
};

/* ---------------------------------------------------------------- article view */

/* Offsets from the API count Unicode code points; JS strings count UTF-16 units. */
function segments(chars, start, end, events) {
  const bounds = new Set([start, end]);
  for (const ev of events) {
    if (ev.sentence_end <= start || ev.sentence_start >= end) continue;
    bounds.add(Math.max(ev.sentence_start, start));
    bounds.add(Math.min(ev.sentence_end, end));
  }
  const sorted = [...bounds].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < sorted.length - 1; i++) {
    const [a, b] = [sorted[i], sorted[i + 1]];
    if (a === b) continue;
    const covering = events.filter((ev) => ev.sentence_start <= a && ev.sentence_end >= b);
    out.push({text: chars.slice(a, b).join(""), events: covering});
  }
  return out;
}

function selectEvent(eventId, scroll) {
  for (const mark of main().querySelectorAll(".article-text mark.ev")) {
    mark.classList.toggle("current", mark.dataset.events.split(" ").includes(eventId));
  }
  for (const button of main().querySelectorAll(".event-list button")) {
    button.setAttribute("aria-pressed", String(button.dataset.event === eventId));
  }
  const current = main().querySelector(".article-text mark.ev.current");
  if (current && scroll) current.scrollIntoView({block: "center"});
  const params = new URLSearchParams({event: eventId});
  history.replaceState(null, "", link("article", params, state.arg));
}

VIEWS.article = async (articleId, params) => {
  if (!articleId) { location.hash = "#/articles"; return; }
  const art = await api(`/api/articles/${encodeURIComponent(articleId)}`);
  const chars = Array.from(art.text);
  const events = art.events;
  const paragraphs = art.paragraphs.map((p) => {
    if (!p.kept) {
      return h("p", {class: "dropped", title: `dropped: ${p.reason}`},
        h("span", {class: "reason"}, `dropped: ${p.reason || "?"}`),
        chars.slice(p.start, p.end).join(""));
    }
    const parts = segments(chars, p.start, p.end, events).map((seg) => seg.events.length ?
      h("mark", {class: "ev", "data-events": seg.events.map((e) => e.event_id).join(" "),
        title: seg.events.map((e) => `${e.source_code} ${e.cameo_name} ${e.target_code}`)
          .join("; "),
        onclick: () => selectEvent(seg.events[0].event_id, false)}, seg.text) : seg.text);
    return h("p", {class: p.is_headline ? "headline" : null},
      p.is_headline ? h("span", {class: "reason kept"}, "headline") : null, parts);
  });
  const dropped = art.paragraphs.filter((p) => !p.kept).length;
  const meta = h("p", {class: "article-meta"},
    h("span", {}, art.published || "undated"), art.source ? h("span", {}, art.source) : null,
    h("span", {class: "code"}, art.doc_name),
    art.url && /^https?:\/\//.test(art.url) ? h("span", {},
      h("a", {href: art.url, rel: "noopener noreferrer", target: "_blank"}, "original")) : null);
  const list = events.map((ev) => h("li", {}, h("button", {type: "button",
    "data-event": ev.event_id, "aria-pressed": "false",
    onclick: () => selectEvent(ev.event_id, true)},
  h("span", {class: "dyad"}, quadTag(ev), `${ev.source_code || "—"} → ${ev.target_code || "—"}`),
  h("span", {class: "sub"}, `${capital(ev.cameo_name)}${ev.modality !== "asserted" ?
    ` · ${ev.modality}` : ""} · confidence ${fmt(ev.confidence, 2)}`))));
  const side = h("aside", {class: "side", "aria-label": "events of this article"},
    h("h2", {}, `${events.length} event${events.length === 1 ? "" : "s"} in this article`),
    events.length ? h("ul", {class: "event-list"}, list) :
      h("p", {class: "hint"}, "No event was coded in this article."),
    h("p", {class: "key"}, h("mark", {class: "ev"}, "highlighted"), " sentences are evidence; ",
      h("mark", {class: "ev current"}, "the selected event"), " is outlined. ",
      `${dropped} paragraph${dropped === 1 ? " was" : "s were"} dropped before coding ` +
      "(greyed, with the reason)."));
  show(h("p", {class: "hint"}, h("a", {href: "#/events"}, "← Events")),
    h("h1", {}, art.title || art.doc_name), meta,
    h("div", {class: "article-layout"}, h("article", {class: "article-text"}, paragraphs), side));
  const wanted = params.get("event");
  if (wanted && events.some((e) => e.event_id === wanted)) selectEvent(wanted, true);
};

/* ---------------------------------------------------------------- grievances */

VIEWS.grievances = async (_arg, params) => {
  const betweenAllies = params.get("between_allies") !== "false";
  const actor = params.get("actor") || "";
  const query = new URLSearchParams({between_allies: betweenAllies, limit: 100});
  if (actor) query.set("actor", actor);
  const page = await api("/api/grievances", query);
  const form = h("form", {class: "inline-form", onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const next = new URLSearchParams();
    if (data.get("actor")) next.set("actor", String(data.get("actor")).trim());
    if (!data.get("between_allies")) next.set("between_allies", "false");
    location.hash = link("grievances", next);
  }},
  h("label", {}, "Country", h("input", {name: "actor", value: actor, list: "country-list",
    pattern: "[A-Za-z0-9]{2,24}", placeholder: "ARM"})),
  h("label", {}, h("input", {type: "checkbox", name: "between_allies", value: "true",
    checked: betweenAllies}), " only between allies and partners"),
  h("button", {type: "submit", class: "primary"}, "Show"));
  const cards = page.items.map((g) => {
    const dyad = new URLSearchParams({actor: g.source, partner: g.target});
    return h("section", {class: "card"},
      h("h2", {}, h("span", {class: "code"}, g.source), " → ", h("span", {class: "code"},
        g.target), " ", h("span", {class: `relation ${g.relation || "none"}`},
        g.relation || "no tie"), ` · ${g.n_events} conflict event${g.n_events === 1 ? "" : "s"}` +
        ` · Goldstein sum ${fmt(g.goldstein_sum)} · ${g.first_date} → ${g.last_date} · `,
      h("a", {href: link("timeline", dyad)}, "timeline")),
      h("ul", {}, g.events.map((e) => h("li", {}, h("span", {class: "code"}, e.date), " ",
        h("span", {class: `qtag q${e.quad_class}`}, e.cameo_code), " ",
        e.article_id ? h("a", {href: link("article", new URLSearchParams({event: e.event_id}),
          e.article_id)}, e.evidence) : e.evidence))));
  });
  show(h("h1", {}, "Grievances"), h("p", {class: "hint"}, "Conflict events (verbal and " +
    "material) grouped by dyad, with the tie between the two countries on the event's date: " +
    "allies (mutual defence) and partners who complain about, threaten or attack each other."),
  form, h("p", {class: "count", role: "status"}, `${page.total} dyad${page.total === 1 ? "" :
    "s"}`), cards.length ? cards : h("p", {class: "empty"}, "No grievance found."));
};

/* ---------------------------------------------------------------- articles + coding form */

VIEWS.articles = async (_arg, params) => {
  const query = new URLSearchParams({limit: params.get("limit") || 50});
  for (const key of ["q", "offset"]) if (params.get(key)) query.set(key, params.get(key));
  const page = await api("/api/articles", query);
  const search = h("form", {class: "inline-form", role: "search", onsubmit: (event) => {
    event.preventDefault();
    const q = new FormData(event.target).get("q");
    location.hash = link("articles", q ? new URLSearchParams({q}) : null);
  }}, h("label", {}, "Title contains", h("input", {type: "search", name: "q",
    value: params.get("q") || "", maxlength: 200})), h("button", {type: "submit"}, "Search"));
  const rows = page.items.map((a) => h("tr", {},
    h("td", {class: "date"}, a.published || "undated"),
    h("td", {}, h("a", {href: link("article", null, a.article_id)}, a.title || a.doc_name),
      h("span", {class: "sub"}, a.doc_name)),
    h("td", {}, a.source || ""),
    h("td", {class: "num"}, a.n_events ? h("a", {href: link("events",
      new URLSearchParams({article: a.article_id})),
    "aria-label": `${a.n_events} events of ${a.title || a.doc_name}`}, a.n_events) : "0"),
    h("td", {class: "num"}, a.n_dropped)));
  const table = h("table", {class: "data"}, h("thead", {}, h("tr", {},
    h("th", {scope: "col"}, "Date"), h("th", {scope: "col"}, "Title"),
    h("th", {scope: "col"}, "Source"), h("th", {scope: "col", class: "num"}, "Events"),
    h("th", {scope: "col", class: "num"}, "Dropped ¶"))), h("tbody", {}, rows));
  show(h("h1", {}, "Articles"), search, page.items.length ? table :
    h("p", {class: "empty"}, "No article."),
  page.total > page.limit ? pager("articles", params, page, "Articles") : null, codeForm());
};

function codeForm() {
  const writable = state.meta && state.meta.writable;
  const section = h("section", {class: "card", "aria-labelledby": "code-title"},
    h("h2", {id: "code-title"}, "Code a new article"));
  if (!writable) {
    section.append(h("p", {class: "hint"}, "This server is read-only: it was started " +
      "without a token. Start it with `dyads serve --token …` to code articles from here."));
    return section;
  }
  const result = h("div", {role: "status"});
  const form = h("form", {class: "code-form", onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const body = {text: data.get("text"), title: data.get("title") || ""};
    if (data.get("date")) body.date = data.get("date");
    if (data.get("source")) body.source = data.get("source");
    result.replaceChildren("Coding…");
    try {
      const res = await fetch("/api/articles", {method: "POST", body: JSON.stringify(body),
        headers: {"Content-Type": "application/json",
          Authorization: `Bearer ${data.get("token")}`}});
      const out = await res.json();
      if (!res.ok) throw new ApiError(res.status, out.reason);
      result.replaceChildren(`${out.created ? "Coded" : "Already stored"}: ` +
        `${out.events.length} event${out.events.length === 1 ? "" : "s"}. `,
      h("a", {href: link("article", null, out.article_id)}, "Open the article"));
      loadMeta();
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  }},
  h("label", {}, "Headline", h("input", {name: "title", maxlength: 1000})),
  h("label", {}, "Date", h("input", {type: "date", name: "date"})),
  h("label", {}, "Source", h("input", {name: "source", maxlength: 200})),
  h("label", {class: "wide"}, "Text", h("textarea", {name: "text", required: true})),
  h("label", {}, "Token", h("input", {type: "password", name: "token", required: true,
    autocomplete: "off"})),
  h("div", {class: "wide"}, h("button", {type: "submit", class: "primary"}, "Code it")),
  h("div", {class: "wide"}, result));
  section.append(form);
  return section;
}

/* ---------------------------------------------------------------- API reference (offline) */

VIEWS.api = async () => {
  const spec = await api("/openapi.json");
  const ops = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) ops.push({path, method, op});
  }
  const typeOf = (schema) => {
    if (!schema) return "";
    if (schema.anyOf) return schema.anyOf.map(typeOf).filter((t) => t !== "null").join(" | ");
    if (schema.enum) return schema.enum.join(" | ");
    if (schema.type === "array") return `list of ${typeOf(schema.items)}`;
    return schema.format || schema.type || "";
  };
  const cards = ops.map(({path, method, op}) => h("section", {class: "api-op"},
    h("h3", {}, h("span", {class: `method ${method}`}, method.toUpperCase()),
      method === "get" && !path.includes("{") ? h("a", {href: path}, path) : path),
    h("p", {}, op.summary || ""),
    op.description ? h("p", {class: "hint"}, op.description) : null,
    op.parameters && op.parameters.length ? h("table", {}, h("tbody", {}, op.parameters.map(
      (p) => h("tr", {}, h("td", {class: "code"}, p.name), h("td", {}, p.in),
        h("td", {}, typeOf(p.schema)), h("td", {}, p.description || ""))))) : null));
  show(h("h1", {}, "API"), h("p", {class: "hint"}, "Every view of this page is a call to " +
    "this JSON API. Errors are JSON with a reason. The machine-readable schema is ",
  h("a", {href: "/openapi.json"}, "/openapi.json"), "; the interactive ",
  h("a", {href: "/docs"}, "/docs"), " page loads Swagger UI from a CDN (needs internet)."),
  cards);
};

/* ---------------------------------------------------------------- start */

async function loadMeta() {
  try {
    state.meta = await api("/api");
    fillFacets(state.meta);
  } catch (err) {
    document.getElementById("stats").textContent = "API unavailable";
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  setupForm();
  document.querySelector(".skip").addEventListener("click", (event) => {
    event.preventDefault(); // the hash holds the view: move the focus without touching it
    main().focus();
  });
  window.addEventListener("hashchange", route);
  await loadMeta();
  await route();
});
