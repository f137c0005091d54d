// Search page: queries the Pagefind index written at build time. Only /search/ loads this.
// The query and filters live in the address (?q=…&topic=…), so a search can be linked to.
// The index has one Pagefind bundle per year (listed, newest first, in shards.json); each is
// searched by its own instance, loaded when first needed, and the results are the years'
// results one after the other, each newest first: the whole list is newest first.
const form = document.querySelector("form[data-pagefind]");
const status = document.querySelector(".search__status");
const list = document.querySelector(".search__results");
const more = document.querySelector(".search__more");
const PAGE = 10;
let results = [];
let shown = 0;
let generation = 0;
let pagefind = null; // Pagefind's module: one copy of its code for every shard
let shards = []; // {year, path, articles, key}, newest first
const instances = new Map();
let first = null;

function instance(shard) {
  // One Pagefind instance per year, created once; they share Pagefind's web worker and its
  // WebAssembly module, which the first instance loads: the others start once it has (two
  // loading it at the same time would break the first one's index).
  if (!instances.has(shard.path)) {
    const start = async () => {
      if (first) await first.catch(() => {});
      const base = new URL(shard.path, new URL(form.dataset.shards, location.href));
      const created = pagefind.createInstance({
        basePath: base.pathname,
        baseUrl: form.dataset.baseUrl,
        metaCacheTag: shard.key, // the shard's files change only with its key
      });
      await created.filters(); // returns once the instance is loaded
      return created;
    };
    const started = start();
    first = first || started;
    instances.set(shard.path, started);
  }
  return instances.get(shard.path);
}

function escape(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

function card(data) {
  const meta = data.meta || {};
  const li = document.createElement("li");
  li.className = "card";
  // An article in another language keeps its language and direction in the list too; the
  // site's own words (outlet, date) keep the page's language.
  const site = meta.language ? ` lang="${escape(document.documentElement.lang)}"` : "";
  if (meta.language) {
    li.lang = meta.language;
    li.dir = meta.direction === "rtl" ? "rtl" : "ltr";
  }
  li.innerHTML =
    (meta.outlet ? `<p class="kicker"${site}><bdi>${escape(meta.outlet)}</bdi></p>` : "") +
    `<h2 class="card__title"><a href="${escape(data.url)}">${escape(meta.title || data.url)}</a></h2>` +
    // Pagefind's excerpt is escaped text with <mark> around the matched words.
    `<p class="card__summary">${data.excerpt}</p>` +
    (meta.date ? `<p class="meta"${site}>${escape(meta.date)}</p>` : "");
  return li;
}

async function showMore() {
  const batch = results.slice(shown, shown + PAGE);
  const token = generation;
  const data = await Promise.all(batch.map((r) => r.data()));
  if (token !== generation) return;
  for (const d of data) list.append(card(d));
  shown += batch.length;
  more.hidden = shown >= results.length;
}

function filtersOf(params) {
  const filters = {};
  for (const name of ["topic", "outlet", "year"]) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

async function run(params) {
  const query = (params.get("q") || "").trim();
  const filters = filtersOf(params);
  const token = ++generation;
  list.replaceChildren();
  more.hidden = true;
  if (!query && Object.keys(filters).length === 0) {
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  // A year is in one shard only; the others are not even loaded.
  const targets = filters.year ? shards.filter((s) => String(s.year) === filters.year) : shards;
  const searches = await Promise.all(
    targets.map(async (shard) => (await instance(shard)).search(query || null, { filters, sort: { date: "desc" } })),
  );
  if (token !== generation) return;
  results = searches.flatMap((search) => search.results);
  shown = 0;
  const n = results.length;
  const what = query ? ` for “${query}”` : "";
  status.textContent = n === 0 ? `No articles found${what}.` : `${n} article${n === 1 ? "" : "s"} found${what}.`;
  await showMore();
}

function fillSelect(select, counts, current) {
  const values = Object.keys(counts).sort((a, b) => (select.name === "year" ? b.localeCompare(a) : a.localeCompare(b)));
  for (const value of values) {
    const option = new Option(`${value} (${counts[value]})`, value, false, value === current);
    select.append(option);
  }
}

async function filterCounts() {
  // Topic and outlet counts add up over the years; the years' own come from shards.json.
  const counts = { topic: {}, outlet: {}, year: {} };
  for (const shard of shards) counts.year[shard.year] = (counts.year[shard.year] || 0) + shard.articles;
  const all = await Promise.all(shards.map(async (shard) => (await instance(shard)).filters()));
  for (const filters of all) {
    for (const name of ["topic", "outlet"]) {
      for (const [value, n] of Object.entries(filters[name] || {})) counts[name][value] = (counts[name][value] || 0) + n;
    }
  }
  return counts;
}

async function load(params) {
  const response = await fetch(form.dataset.shards, { cache: "no-cache" });
  if (!response.ok) throw new Error(`${form.dataset.shards}: ${response.status}`);
  shards = (await response.json()).shards;
  if (shards.length) pagefind = await import(form.dataset.pagefind);
  const counts = await filterCounts();
  for (const name of ["topic", "outlet", "year"]) {
    fillSelect(form.elements[name], counts[name], params.get(name) || "");
  }
  form.querySelector(".search__filters").hidden = false;
}

function fail(error) {
  status.textContent = "Search could not start: the search index is missing or unreadable.";
  console.error(error);
}

function main() {
  const params = new URLSearchParams(location.search);
  form.elements.q.value = params.get("q") || "";
  const ready = load(params);
  // Listening from the start: a search asked for while the index loads runs once it has.
  const update = async () => {
    await ready;
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) next.set(key, value);
    history.replaceState(null, "", next.size ? `?${next}` : location.pathname);
    await run(next);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update().catch(fail);
  });
  form.addEventListener("change", () => update().catch(fail));
  let timer;
  form.elements.q.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => update().catch(fail), 250);
  });
  more.querySelector("button").addEventListener("click", showMore);
  ready.then(() => run(params)).catch(fail);
}

main();
