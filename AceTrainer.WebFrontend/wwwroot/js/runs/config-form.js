// The run.json part of the New run form: fills the inputs from a config and reads a config back from them.
// Inputs are named by their config path ("lora.r", "learning_rate") and say with data-type how to read them:
// int / number (empty is a problem), bool (checkbox), string (as typed), text (empty = null). Fields the page does
// not lay out itself are generated into the Advanced fold from the defaults, so every field of run.json is editable.
import { el } from "../dom.js";

// Filled in by the worker for each attempt; the API refuses a config that has them (even empty), and a stored
// run's config or a preset may carry them.
const WORKER_FIELDS = new Set(["dataset_dir", "output_dir", "cache_dir", "resume_from"]);

export const clone = (value) => structuredClone(value);

/** Deep merge of plain objects (arrays and values of `over` replace those of `base`). */
export function merge(base, over) {
  const out = clone(base ?? {});
  for (const [key, value] of Object.entries(over ?? {})) {
    out[key] = value && typeof value === "object" && !Array.isArray(value) && out[key] && typeof out[key] === "object"
      ? merge(out[key], value)
      : clone(value);
  }
  return out;
}

function getPath(object, path) {
  return path.split(".").reduce((o, key) => (o == null ? undefined : o[key]), object);
}

function setPath(object, path, value) {
  const keys = path.split(".");
  const last = keys.pop();
  const parent = keys.reduce((o, key) => (o[key] ??= {}), object);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

/** Every leaf path of a config ("lora.r"), arrays being leaves. */
function leafPaths(object, prefix = "") {
  return Object.entries(object).flatMap(([key, value]) =>
    value && typeof value === "object" && !Array.isArray(value) ? leafPaths(value, `${prefix}${key}.`) : [`${prefix}${key}`]);
}

export class ConfigForm {
  constructor(form) {
    this.form = form;
    this.modulesEl = form.querySelector("#target-modules");
    this.advancedEl = form.querySelector("#advanced-fields");
    // The config last filled in: fields the form has no input for pass through unchanged.
    this.base = {};
  }

  /** Choice lists, target module checkboxes and the generated Advanced fields, from GET /api/runs/defaults. */
  setup(defaults) {
    for (const select of this.form.querySelectorAll("select[data-options]")) {
      select.replaceChildren(...(defaults[select.dataset.options] ?? []).map((v) => el("option", { value: v, textContent: v })));
    }
    this.#setModules(defaults.targetModules ?? []);
    const laidOut = new Set([...this.#inputs()].map((i) => i.name).concat("lora.target_modules"));
    const extra = leafPaths(defaults.config).filter((p) => !laidOut.has(p) && !WORKER_FIELDS.has(p));
    this.advancedEl.replaceChildren(...extra.map((path) => this.#generatedField(path, getPath(defaults.config, path))));
  }

  /** Sets every input from config; the length choice follows max_steps (0 means train by epochs). */
  fill(config) {
    this.base = clone(config);
    for (const input of this.#inputs()) {
      const value = getPath(config, input.name);
      if (input.dataset.type === "bool") input.checked = Boolean(value);
      else input.value = value ?? "";
      if (input.tagName === "SELECT" && value != null && input.value !== String(value)) {
        // A value the defaults do not list (an older run's config) is still shown and kept.
        input.append(el("option", { value: String(value), textContent: String(value) }));
        input.value = String(value);
      }
    }
    const modules = getPath(config, "lora.target_modules") ?? [];
    this.#setModules([...this.#moduleBoxes()].map((b) => b.value).concat(modules.filter((m) => !this.#moduleBox(m))));
    for (const box of this.#moduleBoxes()) box.checked = modules.includes(box.value);
    this.form.elements["train-by"].value = Number(config.max_steps) > 0 || !Number(config.epochs) ? "steps" : "epochs";
    this.syncLength();
  }

  /** { config, problems }: problems are fields whose input cannot be read (left out of config, so the rest validates). */
  read() {
    const config = clone(this.base);
    for (const field of WORKER_FIELDS) delete config[field];
    const problems = {};
    for (const input of this.#inputs()) {
      if (input.disabled) continue;
      const raw = input.value.trim();
      switch (input.dataset.type) {
        case "bool":
          setPath(config, input.name, input.checked);
          break;
        case "int":
        case "number":
          if (raw === "" || !Number.isFinite(Number(raw))) {
            problems[input.name] = "enter a number";
            setPath(config, input.name, undefined);
          } else {
            setPath(config, input.name, Number(raw));
          }
          break;
        case "text":
          setPath(config, input.name, raw === "" ? null : raw);
          break;
        default:
          setPath(config, input.name, raw);
      }
    }
    setPath(config, "lora.target_modules", [...this.#moduleBoxes()].filter((b) => b.checked).map((b) => b.value));
    // Steps or epochs: the other one is 0, which tells the trainer which decides.
    if (this.form.elements["train-by"].value === "steps") config.epochs = 0;
    else config.max_steps = 0;
    return { config, problems };
  }

  /** Only the chosen length input is editable. */
  syncLength() {
    const byEpochs = this.form.elements["train-by"].value === "epochs";
    this.form.elements.max_steps.disabled = byEpochs;
    this.form.elements.epochs.disabled = !byEpochs;
  }

  /** True for inputs that are part of the config (editing one turns the preset into Custom). */
  isConfigInput(target) {
    return Boolean(target.dataset?.type) || target.name === "train-by" || this.modulesEl.contains(target);
  }

  #inputs() {
    return this.form.querySelectorAll("[data-type][name]");
  }

  #moduleBoxes() {
    return this.modulesEl.querySelectorAll("input[type=checkbox]");
  }

  #moduleBox(name) {
    return [...this.#moduleBoxes()].find((b) => b.value === name);
  }

  #setModules(names) {
    const checked = new Set([...this.#moduleBoxes()].filter((b) => b.checked).map((b) => b.value));
    this.modulesEl.replaceChildren(...names.map((name) =>
      el("label", { className: "check module" }, el("input", { type: "checkbox", value: name, checked: checked.has(name) }), el("code", { textContent: name }))));
  }

  #generatedField(path, value) {
    const message = el("small", { className: "field-message" });
    message.dataset.for = path;
    if (typeof value === "boolean") {
      const box = el("input", { type: "checkbox", name: path });
      box.dataset.type = "bool";
      const label = el("label", { className: "check" }, box, el("code", { textContent: path }), message);
      label.dataset.field = path;
      return label;
    }
    const numeric = typeof value === "number";
    const input = el("input", { type: numeric ? "number" : "text", name: path, step: "any", placeholder: value == null ? "none" : "" });
    input.dataset.type = numeric ? "number" : value == null ? "text" : "string";
    const label = el("label", { className: "field" }, el("span", {}, el("code", { textContent: path })), input, message);
    label.dataset.field = path;
    return label;
  }
}
