// Bulk prompt edits: a live preview count while typing, Apply (exactly what was previewed), and one level of Undo.
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
  // The preview on screen: Apply sends its token, so it changes exactly what was shown or nothing.
  let shown = null;

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

  function showPreview(r, data) {
    shown = { request: r, token: data.previewToken };
    countEl.textContent = `${data.changedCount} prompt${data.changedCount === 1 ? "" : "s"} would change`;
    apply.disabled = data.changedCount === 0;
    showChanges(data.changes, "would change");
  }

  async function preview() {
    const r = request();
    const seq = ++previewSeq;
    shown = null;
    apply.disabled = true;
    if (!isComplete(r)) {
      countEl.textContent = "Type to preview.";
      showChanges([], "");
      return;
    }
    countEl.textContent = "Counting…";
    try {
      const { data } = await api(datasetUrl(datasetId, "prompts", "preview"), { method: "POST", json: r });
      if (seq === previewSeq) showPreview(r, data);
    } catch (e) {
      if (seq === previewSeq) countEl.textContent = e.message;
    }
  }

  async function refreshUndo() {
    try {
      const { data } = await api(datasetUrl(datasetId, "prompts", "undo"));
      undo.disabled = !data.available;
      undo.title = data.available
        ? `Restores the ${data.changedCount} prompts changed at ${new Date(data.appliedAt).toLocaleString()}, if none was edited since.`
        : "No bulk edit to undo.";
    } catch {
      undo.disabled = true;
    }
  }

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(preview, PREVIEW_DELAY_MS);
  }

  /** Resolves the API's answer, or null after telling the user what went wrong. */
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
      if (e.status === 409 && e.body?.preview) {
        showPreview(shown.request, e.body.preview);
        flash(e.message, "error");
      } else {
        flash(`${label.replace("…", "")} failed: ${e.message}`, "error");
      }
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
    if (!shown) return;
    const result = await run("Applying…", datasetUrl(datasetId, "prompts", "apply"), { ...shown.request, previewToken: shown.token });
    if (result) {
      shown = null;
      flash(`Changed ${result.changedCount} prompt${result.changedCount === 1 ? "" : "s"}.`);
      showChanges(result.changes, "changed");
      countEl.textContent = `${result.changedCount} changed`;
      apply.disabled = true;
    } else {
      schedulePreview();
    }
    await refreshUndo();
  });
  undo.addEventListener("click", async () => {
    const result = await run("Undoing…", datasetUrl(datasetId, "prompts", "undo"));
    if (result) {
      flash(`Restored ${result.changedCount} prompt${result.changedCount === 1 ? "" : "s"}.`);
      showChanges(result.changes, "restored");
      countEl.textContent = `${result.changedCount} restored`;
    }
    await refreshUndo();
  });

  return {
    activate() {
      schedulePreview();
      refreshUndo();
    },
  };
}
