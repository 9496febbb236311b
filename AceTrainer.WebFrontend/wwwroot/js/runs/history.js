// Runs page: every run with its state and progress, filtered by dataset, state and creation date; refreshed every 5 s.
import { el, formatDuration } from "../dom.js";
import { api } from "../http.js";
import { flash } from "../dialog.js";
import { can, detailHref, formatNumber, progressOf, runAction, stateBadge, stateName } from "./api.js";

const REFRESH_MS = 5000;
const form = document.getElementById("filters");
const tableBody = document.querySelector("#runs tbody");
const emptyEl = document.getElementById("empty");
const refreshedEl = document.getElementById("refreshed");
// Each load gets a number; an answer to an older one (the filters changed meanwhile) is dropped.
let loadNumber = 0;
let failing = false;

/** The filters as the API's query string; "to" includes the whole day it names. */
function query() {
  const data = new FormData(form);
  const params = new URLSearchParams();
  if (data.get("datasetId")) params.set("datasetId", data.get("datasetId"));
  if (data.get("state")) params.set("state", data.get("state"));
  if (data.get("from")) params.set("from", new Date(`${data.get("from")}T00:00:00`).toISOString());
  if (data.get("to")) params.set("to", new Date(new Date(`${data.get("to")}T00:00:00`).getTime() + 86_400_000).toISOString());
  return params;
}

/** The page URL keeps the filters (as typed), so a reload or a shared link shows the same list. */
function rememberFilters() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (value) params.set(name, String(value));
  history.replaceState(null, "", params.size ? `?${params}` : location.pathname);
}

function restoreFilters() {
  const params = new URLSearchParams(location.search);
  for (const name of ["state", "from", "to"]) if (params.get(name)) form.elements[name].value = params.get(name);
  return params.get("datasetId") ?? "";
}

function duration(run) {
  if (!run.startedAt) return "—";
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  return formatDuration((end - Date.parse(run.startedAt)) / 1000);
}

function actionButton(run, action, label) {
  const button = el("button", { type: "button", className: `small${action === "cancel" || action === "delete" ? " danger" : ""}`, textContent: label });
  button.dataset.action = action;
  button.addEventListener("click", async () => {
    button.disabled = true;
    const result = await runAction(run, action);
    button.disabled = false;
    if (result !== undefined) load();
  });
  return button;
}

function row(run) {
  const progress = progressOf(run);
  const bar = el("progress", { max: 1, value: progress.fraction });
  const tr = el("tr", {},
    el("td", {}, el("a", { href: detailHref(run.id), textContent: run.name, className: "run-name" })),
    el("td", {}, el("a", { href: `/Datasets/${encodeURIComponent(run.datasetId)}`, textContent: run.datasetName || run.datasetId })),
    el("td", {}, stateBadge(run.state)),
    el("td", { className: "run-progress-cell" }, el("div", { className: "progress" }, bar, el("span", { className: "progress-label", textContent: progress.text }))),
    el("td", { className: "num", textContent: formatNumber(run.progress?.loss) }),
    el("td", { className: "muted small", textContent: new Date(run.createdAt).toLocaleString() }),
    el("td", { className: "num", textContent: duration(run) }),
    el("td", { className: "actions" },
      el("a", { href: detailHref(run.id), className: "button small", textContent: "Open" }),
      can.pause(run.state) && actionButton(run, "pause", "Pause"),
      can.resume(run.state) && actionButton(run, "resume", "Resume"),
      can.cancel(run.state) && actionButton(run, "cancel", "Cancel"),
      can.delete(run.state) && actionButton(run, "delete", "Delete")));
  tr.dataset.id = run.id;
  tr.dataset.state = stateName(run.state);
  return tr;
}

async function load() {
  const number = ++loadNumber;
  try {
    const params = query();
    const { data } = await api(`/api/runs${params.size ? `?${params}` : ""}`);
    if (number !== loadNumber) return;
    // A button being pressed keeps its row: replacing it mid-dialog would lose the click target.
    if (!document.querySelector("dialog[open]")) tableBody.replaceChildren(...data.map(row));
    emptyEl.hidden = data.length > 0;
    refreshedEl.textContent = `updated ${new Date().toLocaleTimeString()}`;
    failing = false;
  } catch (e) {
    if (number !== loadNumber) return;
    refreshedEl.textContent = `not updated: ${e.message}`;
    // One flash per outage, not one every 5 s.
    if (!failing) flash(`Could not list runs: ${e.message}`, "error");
    failing = true;
  }
}

async function loadDatasets(selected) {
  try {
    const { data } = await api("/api/datasets");
    data.sort((a, b) => a.name.localeCompare(b.name));
    form.elements.datasetId.append(...data.map((d) => el("option", { value: d.id, textContent: d.name })));
    form.elements.datasetId.value = selected;
  } catch (e) {
    flash(`Could not list datasets for the filter: ${e.message}`, "error");
  }
}

form.addEventListener("change", () => {
  rememberFilters();
  load();
});
form.addEventListener("reset", () => setTimeout(() => {
  rememberFilters();
  load();
}));
form.addEventListener("submit", (e) => e.preventDefault());

const selectedDataset = restoreFilters();
await loadDatasets(selectedDataset);
await load();
setInterval(() => document.visibilityState === "visible" && load(), REFRESH_MS);
