// Number and date formatting shared by every page.
const numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

export function formatNumber(value) {
  return numberFormat.format(value);
}

export function formatDelta(value) {
  const sign = value > 0 ? "+" : value < 0 ? "\u2212" : "";
  return `${sign}${numberFormat.format(Math.abs(value))} %`;
}

export function relativeTime(date, now = new Date()) {
  const minutes = Math.round((now - date) / 60000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 24 ? `${hours} h ago` : `${Math.round(hours / 24)} d ago`;
}
