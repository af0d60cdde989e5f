// Dashboard entry: formats the KPI deltas and loads the chart module on demand.
import { readSeries } from "./shared/api.js";
import { formatDelta } from "./shared/format.js";

function decorateTrends() {
  for (const el of document.querySelectorAll(".kpi .trend")) {
    const value = Number.parseFloat(el.textContent.replace(/[^\d.-]/g, ""));
    if (Number.isFinite(value)) el.lastChild.textContent = ` ${formatDelta(value)}`;
  }
}

async function showChart() {
  const container = document.getElementById("chart");
  if (!container || container.dataset.rendered) return;
  const { renderChart } = await import("./chart.js");
  renderChart(container, readSeries(container));
}

decorateTrends();
document.getElementById("load-chart")?.addEventListener("click", showChart);
if ("IntersectionObserver" in window) {
  const target = document.getElementById("chart");
  if (target) {
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        io.disconnect();
        showChart();
      }
    });
    io.observe(target);
  }
}
document.documentElement.dataset.app = "dashboard";
