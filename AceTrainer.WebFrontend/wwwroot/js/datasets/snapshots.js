// Snapshots: freeze the dataset for training and list the snapshots taken.
import { el, progressBar } from "../dom.js";
import { api } from "../http.js";
import { flash } from "../dialog.js";
import { datasetUrl } from "./urls.js";

export function setupSnapshots({ datasetId, saveEdits }) {
  const $ = (id) => document.getElementById(id);
  const freeze = $("freeze");

  async function activate() {
    try {
      const { data } = await api(datasetUrl(datasetId, "snapshots"));
      data.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      $("snapshot-table").tBodies[0].replaceChildren(...data.map((s) => el("tr", {},
        el("td", {}, el("code", { textContent: s.id })),
        el("td", { textContent: new Date(s.createdAt).toLocaleString() }),
        el("td", { className: "num", textContent: String(s.sampleCount) }))));
      $("snapshot-table").hidden = data.length === 0;
      $("no-snapshots").hidden = data.length > 0;
    } catch (e) {
      flash(`Could not list snapshots: ${e.message}`, "error");
    }
  }

  freeze.addEventListener("click", async () => {
    if (!(await saveEdits())) return;
    const bar = progressBar("freezing…");
    bar.set(null);
    $("snapshot-progress").replaceChildren(bar.root);
    freeze.disabled = true;
    try {
      const { data } = await api(datasetUrl(datasetId, "snapshots"), { method: "POST" });
      flash(`Snapshot ${data.id} taken with ${data.samples.length} samples.`);
      await activate();
    } catch (e) {
      flash(`Snapshot failed: ${e.message}`, "error");
    } finally {
      freeze.disabled = false;
      $("snapshot-progress").replaceChildren();
    }
  });

  return { activate };
}
