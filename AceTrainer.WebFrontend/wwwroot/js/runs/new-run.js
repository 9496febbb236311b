// New run page: presets, every hyperparameter, a live plan and VRAM estimate as the user types, and the start.
import { el, progressBar } from "../dom.js";
import { api } from "../http.js";
import { flash } from "../dialog.js";
import { detailHref, runUrl } from "./api.js";
import { ConfigForm, merge } from "./config-form.js";
import { renderPlan, renderVram } from "./plan-view.js";
import { SnapshotPicker } from "./snapshot-picker.js";

const PLAN_DELAY_MS = 250;
const $ = (id) => document.getElementById(id);
const form = $("run-form");
const configForm = new ConfigForm(form);
const query = new URLSearchParams(location.search);
let defaults = null;
let presets = [];
let planTimer = 0;
// Each plan request gets a number; an answer to an older one (the user typed on) is dropped.
let planNumber = 0;

const picker = new SnapshotPicker({
  datasetSelect: $("dataset"),
  snapshotSelect: $("snapshot"),
  createButton: $("create-snapshot"),
  progressEl: $("snapshot-progress"),
  onChange: () => schedulePlan(),
});

/** { request, problems }: the CreateRunRequest as the form stands, and inputs that could not be read. */
function request() {
  const { config, problems } = configForm.read();
  const notBefore = form.elements.notBefore.value;
  return {
    request: {
      name: form.elements.namedItem("name").value.trim(),
      snapshotId: picker.snapshotId,
      config,
      notBefore: notBefore ? new Date(notBefore).toISOString() : null,
    },
    problems,
  };
}

/** Shows each message at its field; messages for fields the form does not have go to the list under the form. */
function showErrors(errors) {
  for (const message of form.querySelectorAll(".field-message")) message.textContent = "";
  for (const field of form.querySelectorAll(".invalid")) field.classList.remove("invalid");
  const unplaced = [];
  for (const [key, messages] of Object.entries(errors ?? {})) {
    const text = [].concat(messages).join(" ");
    const slot = form.querySelector(`.field-message[data-for="${CSS.escape(key)}"]`);
    if (slot) {
      slot.textContent = text;
      slot.closest("[data-field], .field")?.classList.add("invalid");
    } else {
      unplaced.push(`${key}: ${text}`);
    }
  }
  // A field inside the closed Advanced fold would be invisible.
  if (form.querySelector("#advanced .invalid")) $("advanced").open = true;
  $("form-errors").textContent = unplaced.join(" · ");
}

function schedulePlan() {
  clearTimeout(planTimer);
  planTimer = setTimeout(plan, PLAN_DELAY_MS);
}

async function plan() {
  if (!defaults) return;
  const number = ++planNumber;
  const { request: body, problems } = request();
  try {
    const { data } = await api("/api/runs/plan", { method: "POST", json: body });
    if (number !== planNumber) return;
    showErrors({ ...data.errors, ...problems });
    renderPlan($("plan"), data.plan, body.config);
    renderVram($("vram"), data.vram);
  } catch (e) {
    if (number !== planNumber) return;
    $("plan").className = "plan error-text";
    $("plan").textContent = `No plan: ${e.message}`;
  }
}

function choosePreset(name) {
  const preset = presets.find((p) => p.name === name);
  form.elements.preset.value = preset ? name : "custom";
  if (preset) configForm.fill(merge(defaults.config, preset.config));
  schedulePlan();
}

function renderPresets() {
  $("presets").prepend(...presets.map((p) => {
    const label = el("label", { className: "preset" },
      el("input", { type: "radio", name: "preset", value: p.name }),
      el("span", {}, el("strong", { textContent: p.label ?? p.name }), el("span", { className: "muted small", textContent: p.description ?? "" })));
    label.dataset.preset = p.name;
    return label;
  }));
}

/** "?from=<run id>" starts from that run's config, dataset and snapshot. */
async function startingPoint() {
  if (!query.get("from")) return { preset: presets.some((p) => p.name === "balanced") ? "balanced" : presets[0]?.name };
  try {
    const { data: run } = await api(runUrl(query.get("from")));
    form.elements.namedItem("name").value = `${run.name} (again)`;
    return { config: merge(defaults.config, run.config), datasetId: run.datasetId, snapshotId: run.snapshotId };
  } catch (e) {
    flash(`Could not load the run to copy: ${e.message}`, "error");
    return { preset: presets[0]?.name };
  }
}

async function submit() {
  const { request: body, problems } = request();
  if (Object.keys(problems).length) {
    showErrors(problems);
    flash("Some fields need a value first (marked).", "error");
    return;
  }
  const button = $("submit");
  const bar = progressBar("starting the run…");
  bar.set(null);
  $("submit-progress").replaceChildren(bar.root);
  button.disabled = true;
  try {
    const { data } = await api("/api/runs", { method: "POST", json: body });
    location.href = detailHref(data.id);
  } catch (e) {
    button.disabled = false;
    $("submit-progress").replaceChildren();
    if (e.status === 400 && e.body?.errors) {
      showErrors(e.body.errors);
      flash("The run was not started: see the marked fields.", "error");
    } else {
      flash(`The run was not started: ${e.message}`, "error");
    }
  }
}

form.addEventListener("input", (e) => {
  if (e.target.name === "preset") return;
  if (configForm.isConfigInput(e.target)) form.elements.preset.value = "custom";
  schedulePlan();
});
form.addEventListener("change", (e) => {
  if (e.target.name === "preset") return choosePreset(e.target.value);
  if (e.target.name === "train-by") configForm.syncLength();
  if (configForm.isConfigInput(e.target)) form.elements.preset.value = "custom";
  schedulePlan();
});
form.addEventListener("submit", (e) => {
  e.preventDefault();
  submit();
});
document.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
    e.preventDefault();
    if (!$("submit").disabled) form.requestSubmit();
  }
});

try {
  const [{ data: defaultsData }, { data: presetData }] = await Promise.all([api("/api/runs/defaults"), api("/api/runs/presets")]);
  defaults = defaultsData;
  presets = presetData;
  configForm.setup(defaults);
  renderPresets();
  const start = await startingPoint();
  if (start.config) {
    configForm.fill(start.config);
    form.elements.preset.value = "custom";
  } else {
    choosePreset(start.preset);
  }
  await picker.load({ datasetId: start.datasetId ?? query.get("datasetId"), snapshotId: start.snapshotId ?? query.get("snapshotId") });
} catch (e) {
  $("submit").disabled = true;
  flash(`The run settings could not be loaded: ${e.message}`, "error");
}
