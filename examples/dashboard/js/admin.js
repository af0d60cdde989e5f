// Admin entry (reports page): client-side export of the report table as CSV.
import { getJSON } from "./shared/api.js";
import { formatNumber } from "./shared/format.js";

export function tableToCSV(table) {
  return [...table.rows]
    .map((row) => [...row.cells].map((c) => `"${c.textContent.trim().replaceAll('"', '""')}"`).join(","))
    .join("\n");
}

const table = document.querySelector(".report-table");
const exportBox = document.getElementById("export");
if (table && exportBox) {
  const link = document.createElement("a");
  link.textContent = `Export ${formatNumber(table.tBodies[0]?.rows.length ?? 0)} rows as CSV`;
  link.download = "report.csv";
  link.href = URL.createObjectURL(new Blob([tableToCSV(table)], { type: "text/csv" }));
  exportBox.append(link);
  exportBox.hidden = false;
}
window.assetpipeAdmin = { getJSON };
document.documentElement.dataset.app = "admin";
