// Dataset editor page: wires the sample list, the detail pane, the tool tabs and the keyboard together.
import { formatDuration, isTyping } from "../dom.js";
import { api } from "../http.js";
import { askText, flash } from "../dialog.js";
import { SampleDetail } from "./sample-detail.js";
import { SampleList } from "./sample-list.js";
import { datasetUrl } from "./urls.js";
import { setupUploads } from "./uploads.js";
import { setupBulk } from "./bulk.js";
import { setupReport } from "./report.js";
import { setupTransfer } from "./transfer.js";
import { setupSnapshots } from "./snapshots.js";

const $ = (id) => document.getElementById(id);
const datasetId = $("editor").dataset.datasetId;
let dataset = null;
let activeTab = "samples";

const list = new SampleList({ listEl: $("sample-list"), filterEl: $("filter"), countEl: $("sample-count"), onSelect: (stem) => go(stem) });
const detail = new SampleDetail({
  datasetId,
  onSaved: (sample) => {
    list.update(sample);
    loadDataset();
  },
  onDeleted: async () => {
    await reload();
    flash("Sample deleted.");
  },
});

function position(stem) {
  const visible = list.visible;
  const index = visible.findIndex((s) => s.stem === stem);
  return index < 0 ? "" : `${index + 1} of ${visible.length}`;
}

function show(stem) {
  list.select(stem);
  detail.show(list.samples.find((s) => s.stem === stem) ?? null, position(stem));
}

/** Moves to another sample, saving unsaved edits first; stays put when they cannot be saved. */
async function go(stem) {
  if (stem === list.selected) return;
  if (!(await detail.save())) return;
  show(stem);
}

function move(delta) {
  const visible = list.visible;
  if (visible.length === 0) return;
  const index = visible.findIndex((s) => s.stem === list.selected);
  const next = index < 0 ? 0 : Math.max(0, Math.min(visible.length - 1, index + delta));
  return go(visible[next].stem);
}

async function loadDataset() {
  try {
    ({ data: dataset } = await api(datasetUrl(datasetId)));
  } catch (e) {
    flash(e.status === 404 ? "This dataset does not exist (any more)." : `Could not load the dataset: ${e.message}`, "error");
    return;
  }
  document.title = `${dataset.name} · AceTrainer`;
  $("dataset-name").textContent = dataset.name;
  if (document.activeElement !== $("trigger-word")) $("trigger-word").value = dataset.triggerWord;
  $("dataset-summary").textContent = `${dataset.sampleCount} samples · ${formatDuration(dataset.totalDurationSeconds)} total`;
}

/** Reloads everything after a change made elsewhere (upload, bulk edit, import); edits in progress are kept. */
async function reload() {
  const [{ data: samples }] = await Promise.all([api(datasetUrl(datasetId, "samples")), loadDataset()]);
  list.setSamples(samples);
  const selected = samples.find((s) => s.stem === list.selected);
  if (selected) {
    // Re-showing an unchanged sample would only fetch its audio again for the waveform.
    if (!detail.dirty && selected.version !== detail.sample?.version) show(selected.stem);
    else $("position").textContent = position(selected.stem);
  } else {
    const first = list.visible[0];
    if (first) show(first.stem);
    else {
      list.select(null);
      detail.show(null);
    }
  }
}

/** Shows one tool tab; the URL's hash names it, so a reload or a link opens the same tab. */
function setTab(name) {
  if (!document.getElementById(`tab-${name}`)) name = "samples";
  activeTab = name;
  history.replaceState(null, "", name === "samples" ? location.pathname : `#${name}`);
  for (const tab of document.querySelectorAll("[role=tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll(".tab-panel")) panel.hidden = panel.id !== `tab-${name}`;
  tools[name]?.activate();
}

const context = {
  datasetId,
  reload,
  samples: () => list.samples,
  saveEdits: () => detail.save(),
  openSample: (stem) => {
    setTab("samples");
    go(stem);
  },
};
const tools = {
  bulk: setupBulk(context),
  report: setupReport(context),
  transfer: setupTransfer(context),
  snapshots: setupSnapshots(context),
};
setupUploads({ ...context, onUploaded: reload });

for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => setTab(tab.dataset.tab));
$("prev").addEventListener("click", () => move(-1));
$("next").addEventListener("click", () => move(+1));

$("rename").addEventListener("click", async () => {
  const name = await askText({ title: "Rename dataset", label: "Name", value: dataset?.name ?? "", action: "Rename" });
  if (!name) return;
  try {
    await api(datasetUrl(datasetId), { method: "PATCH", json: { name } });
    await loadDataset();
  } catch (e) {
    flash(`Rename failed: ${e.message}`, "error");
  }
});

$("trigger-word").addEventListener("change", async (e) => {
  const state = $("trigger-state");
  state.textContent = "saving…";
  try {
    await api(datasetUrl(datasetId), { method: "PATCH", json: { triggerWord: e.target.value.trim() } });
    state.textContent = "saved";
    await loadDataset();
  } catch (err) {
    state.textContent = "";
    flash(`Trigger word not saved: ${err.message}`, "error");
  }
});

document.addEventListener("keydown", (e) => {
  if (activeTab !== "samples" || document.querySelector("dialog[open]")) return;
  const command = e.ctrlKey || e.metaKey;
  if (command && e.key.toLowerCase() === "s") {
    e.preventDefault();
    detail.save();
  } else if (command && e.key === "Enter") {
    e.preventDefault();
    move(+1);
  } else if (e.key === "Escape" && isTyping(e.target)) {
    e.target.blur();
  } else if (!command && !e.altKey && !isTyping(e.target) && !(e.key === " " && isControl(e.target))) {
    const action = {
      ArrowDown: () => move(+1), ArrowRight: () => move(+1), ArrowUp: () => move(-1), ArrowLeft: () => move(-1),
      Home: () => move(-Infinity), End: () => move(Infinity),
      " ": () => detail.waveform.playPause(),
    }[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  }
});

/** Space belongs to a focused button or checkbox; elsewhere it plays. */
function isControl(target) {
  return target instanceof HTMLButtonElement || target instanceof HTMLInputElement;
}

reload().catch((e) => flash(`Could not load samples: ${e.message}`, "error"));
setTab(location.hash.slice(1));
