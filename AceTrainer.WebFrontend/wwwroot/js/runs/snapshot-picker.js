// The New run form's data choice: a dataset, then one of its snapshots (newest first), or a snapshot taken now.
import { el, progressBar } from "../dom.js";
import { api } from "../http.js";
import { flash } from "../dialog.js";
import { datasetUrl } from "../datasets/urls.js";

export class SnapshotPicker {
  /** onChange() runs whenever the chosen snapshot changes (also to none). */
  constructor({ datasetSelect, snapshotSelect, createButton, progressEl, onChange }) {
    Object.assign(this, { datasetSelect, snapshotSelect, createButton, progressEl, onChange });
    datasetSelect.addEventListener("change", () => this.#loadSnapshots());
    snapshotSelect.addEventListener("change", () => onChange());
    createButton.addEventListener("click", () => this.#createSnapshot());
  }

  get snapshotId() {
    return this.snapshotSelect.value || null;
  }

  /** Lists the datasets and selects datasetId's snapshot snapshotId (or the newest one) when given. */
  async load({ datasetId, snapshotId } = {}) {
    try {
      const { data } = await api("/api/datasets");
      data.sort((a, b) => a.name.localeCompare(b.name));
      this.datasetSelect.replaceChildren(...data.map((d) => el("option", { value: d.id, textContent: `${d.name} (${d.sampleCount} samples)` })));
      if (data.length === 0) this.datasetSelect.append(el("option", { value: "", textContent: "no datasets yet" }));
      if (datasetId) this.datasetSelect.value = datasetId;
    } catch (e) {
      flash(`Could not list datasets: ${e.message}`, "error");
    }
    await this.#loadSnapshots(snapshotId);
  }

  async #loadSnapshots(snapshotId) {
    const datasetId = this.datasetSelect.value;
    this.createButton.disabled = !datasetId;
    this.snapshotSelect.replaceChildren();
    if (datasetId) {
      try {
        const { data } = await api(datasetUrl(datasetId, "snapshots"));
        data.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        this.snapshotSelect.append(...data.map((s) => el("option", { value: s.id, textContent: `${new Date(s.createdAt).toLocaleString()} · ${s.sampleCount} samples · ${s.id}` })));
      } catch (e) {
        flash(`Could not list snapshots: ${e.message}`, "error");
      }
    }
    if (this.snapshotSelect.options.length === 0) {
      this.snapshotSelect.append(el("option", { value: "", textContent: datasetId ? "no snapshot yet: create one" : "pick a dataset first" }));
    }
    if (snapshotId && [...this.snapshotSelect.options].some((o) => o.value === snapshotId)) this.snapshotSelect.value = snapshotId;
    this.onChange();
  }

  async #createSnapshot() {
    const datasetId = this.datasetSelect.value;
    const bar = progressBar("freezing the dataset…");
    bar.set(null);
    this.progressEl.replaceChildren(bar.root);
    this.createButton.disabled = true;
    try {
      const { data } = await api(datasetUrl(datasetId, "snapshots"), { method: "POST" });
      flash(`Snapshot ${data.id} taken with ${data.samples.length} samples.`);
      await this.#loadSnapshots(data.id);
    } catch (e) {
      flash(`Snapshot failed: ${e.message}`, "error");
    } finally {
      this.createButton.disabled = !this.datasetSelect.value;
      this.progressEl.replaceChildren();
    }
  }
}
