// Bulk prompt edits: a live preview count while typing, Apply, and one level of Undo.
import { el, progressBar } from "../dom.js";
import { api } from "../http.js";
import { flash } from "../dialog.js";
import { datasetUrl } from "./urls.js";

const PREVIEW_DELAY_MS = 250;
const SHOWN_CHANGES = 100;

export function setupBulk({ datasetId, reload, saveEdits }) {
  const $ = (id) => document.getElementById(id);
  const form = $("bulk-form");
  const operation = $("bulk-operation");
  const countEl = $("bulk-preview-count");
  const apply = $("bulk-apply");
  const undo = $("bulk-undo");
  const table = $("bulk-changes");
  const progress = $("bulk-progress");
  let timer = null;
  let previewSeq = 0;

  function request() {
    const op = operation.value;
    return op === "Replace"
      ? { operation: op, find: $("bulk-find").value, replaceWith: $("bulk-replace").value, wholeTag: $("bulk-whole-tag").checked }
      : { operation: op, text: $("bulk-text").value };
  }

  function isComplete(r) {
    return r.operation === "Replace" ? r.find.trim().length > 0 : r.text.trim().length > 0;
  }

  function showChanges(changes, verb) {
    table.hidden = changes.length === 0;
    table.tBodies[0].replaceChildren(...changes.slice(0, SHOWN_CHANGES).map((c) => el("tr", {},
      el("td", { textContent: c.stem }), el("td", { className: "before", textContent: c.before }), el("td", { className: "after", textContent: c.after }))));
    if (changes.length > SHOWN_CHANGES) {
      table.tBodies[0].append(el("tr", {}, el("td", { colSpan: 3, className: "muted", textContent: `…and ${changes.length - SHOWN_CHANGES} more ${verb}` })));
    }
  }

  async function preview() {
    const r = request();
    const seq = ++previewSeq;
    if (!isComplete(r)) {
      countEl.textContent = "Type to preview.";
      apply.disabled = true;
      showChanges([], "");
      return;
    }
    countEl.textContent = "Counting…";
    try {
      const { data } = await api(datasetUrl(datasetId, "prompts", "preview"), { method: "POST", json: r });
      if (seq !== previewSeq) return;
      countEl.textContent = `${data.changedCount} prompt${data.changedCount === 1 ? "" : "s"} would change`;
      countEl.dataset.count = String(data.changedCount);
      apply.disabled = data.changedCount === 0;
      showChanges(data.changes, "would change");
    } catch (e) {
      if (seq === previewSeq) countEl.textContent = e.message;
      apply.disabled = true;
    }
  }

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(preview, PREVIEW_DELAY_MS);
  }

  async function run(label, url, json) {
    if (!(await saveEdits())) {
      flash("Save or discard the open sample's edits first.", "error");
      return null;
    }
    const bar = progressBar(label);
    bar.set(null);
    progress.replaceChildren(bar.root);
    apply.disabled = undo.disabled = true;
    try {
      const { data } = await api(url, { method: "POST", json });
      await reload();
      return data;
    } catch (e) {
      flash(`${label.replace("…", "")} failed: ${e.message}`, "error");
      return null;
    } finally {
      progress.replaceChildren();
    }
  }

  operation.addEventListener("change", () => {
    for (const field of form.querySelectorAll("[data-for]")) field.hidden = !field.dataset.for.split(" ").includes(operation.value);
    schedulePreview();
  });
  form.addEventListener("input", schedulePreview);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await run("Applying…", datasetUrl(datasetId, "prompts", "apply"), request());
    if (result) {
      flash(`Changed ${result.changedCount} prompt${result.changedCount === 1 ? "" : "s"}.`);
      showChanges(result.changes, "changed");
      countEl.textContent = `${result.changedCount} changed`;
      undo.disabled = !result.undoAvailable;
    } else {
      undo.disabled = false;
    }
    apply.disabled = true;
  });
  undo.addEventListener("click", async () => {
    const result = await run("Undoing…", datasetUrl(datasetId, "prompts", "undo"));
    if (result) {
      flash(`Restored ${result.changedCount} prompt${result.changedCount === 1 ? "" : "s"}.`);
      showChanges(result.changes, "restored");
    }
    undo.disabled = true;
    schedulePreview();
  });

  return { activate: schedulePreview };
}
