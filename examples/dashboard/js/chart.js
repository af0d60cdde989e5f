// The launch-cadence chart: loaded on demand (dynamic import) so it never delays first paint.
import { formatNumber } from "./shared/format.js";

const SVG = "http://www.w3.org/2000/svg";

export function renderChart(container, series) {
  const width = 600;
  const height = 220;
  const max = Math.max(...series, 1);
  const step = width / Math.max(series.length - 1, 1);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 20}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Launches per month, peak ${formatNumber(max)}`);
  const points = series.map((v, i) => `${i * step},${height - (v / max) * height}`).join(" ");
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", points);
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "currentColor");
  line.setAttribute("stroke-width", "3");
  svg.append(line);
  series.forEach((v, i) => {
    const dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", String(i * step));
    dot.setAttribute("cy", String(height - (v / max) * height));
    dot.setAttribute("r", "4");
    svg.append(dot);
  });
  container.replaceChildren(svg);
  container.dataset.rendered = "true";
  return svg;
}
