// A tiny fetch wrapper shared by the dashboard and admin entries.
const cache = new Map();

export async function getJSON(url, { ttl = 30_000 } = {}) {
  const hit = cache.get(url);
  if (hit && Date.now() - hit.at < ttl) return hit.data;
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const data = await res.json();
  cache.set(url, { at: Date.now(), data });
  return data;
}

export function readSeries(el) {
  return (el.dataset.series || "")
    .split(",")
    .map(Number)
    .filter((n) => Number.isFinite(n));
}
