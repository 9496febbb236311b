// Datasets page: the list with counts, create, rename and delete (after confirmation).
import { el, formatDuration } from "../dom.js";
import { api } from "../http.js";
import { askText, flash, showDialog } from "../dialog.js";

const tableBody = document.querySelector("#datasets tbody");
const emptyEl = document.getElementById("empty");
const createForm = document.getElementById("create");

function row(d) {
  const rename = el("button", { type: "button", className: "small", textContent: "Rename" });
  const remove = el("button", { type: "button", className: "small danger", textContent: "Delete" });
  rename.addEventListener("click", () => renameDataset(d));
  remove.addEventListener("click", () => deleteDataset(d));
  const tr = el("tr", {},
    el("td", {}, el("a", { href: `/Datasets/${encodeURIComponent(d.id)}`, textContent: d.name, className: "dataset-name" })),
    el("td", {}, d.triggerWord ? el("code", { textContent: d.triggerWord }) : el("span", { className: "muted", textContent: "—" })),
    el("td", { className: "num sample-count", textContent: String(d.sampleCount) }),
    el("td", { className: "num", textContent: formatDuration(d.totalDurationSeconds) }),
    el("td", { className: "muted small", textContent: new Date(d.updatedAt).toLocaleString() }),
    el("td", { className: "actions" }, rename, remove));
  tr.dataset.id = d.id;
  return tr;
}

async function load() {
  try {
    const { data } = await api("/api/datasets");
    data.sort((a, b) => a.name.localeCompare(b.name));
    tableBody.replaceChildren(...data.map(row));
    emptyEl.hidden = data.length > 0;
  } catch (e) {
    flash(`Could not list datasets: ${e.message}`, "error");
  }
}

async function renameDataset(d) {
  const name = await askText({ title: "Rename dataset", label: "Name", value: d.name, action: "Rename" });
  if (!name || name === d.name) return;
  try {
    await api(`/api/datasets/${encodeURIComponent(d.id)}`, { method: "PATCH", json: { name } });
    flash(`Renamed to “${name}”.`);
    await load();
  } catch (e) {
    flash(`Rename failed: ${e.message}`, "error");
  }
}

async function deleteDataset(d) {
  const choice = await showDialog({
    title: `Delete “${d.name}”?`,
    body: `Its ${d.sampleCount} samples (audio, prompts and lyrics) are deleted for good. Snapshots already taken stay.`,
    actions: [{ label: "Cancel", value: "cancel", kind: "primary" }, { label: "Delete", value: "delete", kind: "danger" }],
  });
  if (choice !== "delete") return;
  try {
    await api(`/api/datasets/${encodeURIComponent(d.id)}`, { method: "DELETE" });
    flash(`Deleted “${d.name}”.`);
    await load();
  } catch (e) {
    flash(`Delete failed: ${e.message}`, "error");
  }
}

createForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = new FormData(createForm);
  const button = createForm.querySelector("button");
  button.disabled = true;
  try {
    const { data } = await api("/api/datasets", {
      method: "POST",
      json: { name: String(form.get("name")).trim(), triggerWord: String(form.get("triggerWord")).trim() || null },
    });
    location.href = `/Datasets/${encodeURIComponent(data.id)}`;
  } catch (err) {
    flash(`Could not create the dataset: ${err.message}`, "error");
    button.disabled = false;
  }
});

load();
