// ZIP export in either layout, and ZIP import (into this or a new dataset) with upload progress and the full report.
import { el, progressBar } from "../dom.js";
import { api, send } from "../http.js";
import { datasetUrl } from "./urls.js";

export function setupTransfer({ datasetId, reload }) {
  const $ = (id) => document.getElementById(id);
  const exportLink = $("export-link");
  const input = $("import-input");
  const progress = $("import-progress");
  const reportEl = $("import-report");

  function updateExportLink() {
    const layout = document.querySelector("input[name=layout]:checked").value;
    exportLink.href = `${datasetUrl(datasetId, "export")}?layout=${layout}`;
  }

  async function targetDataset() {
    if (document.querySelector("input[name=import-target]:checked").value === "this") return { id: datasetId, isNew: false };
    const name = $("import-new-name").value.trim() || input.files[0].name.replace(/\.zip$/i, "");
    const { data } = await api("/api/datasets", { method: "POST", json: { name } });
    return { id: data.id, name: data.name, isNew: true };
  }

  function renderReport(report, target) {
    const rows = [
      ...report.imported.map((f) => ({ path: f.path, result: `imported as ${f.stem}`, kind: "imported" })),
      ...report.textFilesUsed.map((path) => ({ path, result: "read into its sample", kind: "used" })),
      ...report.skipped.map((f) => ({ path: f.path, result: `skipped: ${f.reason}`, kind: "skipped" })),
    ].sort((a, b) => a.path.localeCompare(b.path));
    reportEl.replaceChildren(
      el("p", { className: "import-summary" },
        `${report.imported.length} audio files imported, ${report.textFilesUsed.length} text files used, ${report.skipped.length} skipped`,
        target.isNew ? el("span", {}, " into ", el("a", { href: `/Datasets/${encodeURIComponent(target.id)}`, id: "import-target-link", textContent: target.name })) : null,
        "."),
      el("table", { className: "table compact", id: "import-table" },
        el("thead", {}, el("tr", {}, el("th", { textContent: "File in the archive" }), el("th", { textContent: "Result" }))),
        el("tbody", {}, ...rows.map((r) => el("tr", { className: `import-${r.kind}` }, el("td", {}, el("code", { textContent: r.path })), el("td", { textContent: r.result }))))));
  }

  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    const bar = progressBar("starting…");
    progress.replaceChildren(bar.root);
    reportEl.replaceChildren();
    input.disabled = true;
    try {
      const target = await targetDataset();
      const report = await send(`${datasetUrl(target.id, "import")}?onConflict=Rename`, file, {
        headers: { "Content-Type": "application/zip" },
        onUpload: (f) => bar.set(f, `uploading ${Math.round(f * 100)}%`),
        onSent: () => bar.set(null, "importing: analysing every file…"),
      });
      bar.set(1, "done");
      renderReport(report, target);
      if (!target.isNew) await reload();
    } catch (e) {
      bar.set(0, "failed");
      reportEl.replaceChildren(el("p", { className: "error-text", role: "alert", textContent: `Import failed: ${e.message}` }));
    } finally {
      input.disabled = false;
      input.value = "";
    }
  });
  for (const radio of document.querySelectorAll("input[name=layout]")) radio.addEventListener("change", updateExportLink);
  updateExportLink();

  return { activate: () => {} };
}
