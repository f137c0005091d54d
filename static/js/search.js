// Search page: queries the Pagefind index written at build time. Only /search/ loads this.
// The query and filters live in the address (?q=…&topic=…), so a search can be linked to.
const form = document.querySelector("form[data-pagefind]");
const status = document.querySelector(".search__status");
const list = document.querySelector(".search__results");
const more = document.querySelector(".search__more");
const PAGE = 10;
let results = [];
let shown = 0;
let generation = 0;

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

async function run(pagefind, params) {
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
  const search = await pagefind.search(query || null, { filters, sort: { date: "desc" } });
  if (token !== generation) return;
  results = search.results;
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

async function main() {
  const pagefind = await import(form.dataset.pagefind);
  await pagefind.options({ baseUrl: form.dataset.baseUrl });
  const params = new URLSearchParams(location.search);
  form.elements.q.value = params.get("q") || "";
  const filters = await pagefind.filters();
  for (const name of ["topic", "outlet", "year"]) {
    fillSelect(form.elements[name], filters[name] || {}, params.get(name) || "");
  }
  form.querySelector(".search__filters").hidden = false;

  const update = () => {
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) next.set(key, value);
    history.replaceState(null, "", next.size ? `?${next}` : location.pathname);
    run(pagefind, next);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
  form.addEventListener("change", update);
  let timer;
  form.elements.q.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
  more.querySelector("button").addEventListener("click", showMore);
  await run(pagefind, params);
}

main().catch((error) => {
  status.textContent = "Search could not start: the search index is missing or unreadable.";
  console.error(error);
});
