// The run page's side panels: GPU, log tail, checkpoints.
import { el, formatBytes } from "../dom.js";
import { runUrl } from "./api.js";

const LOG_LINES = 200;

/** Memory bar, utilisation and temperature per device, or why there is no GPU. */
export function renderGpu(container, gpu) {
  if (!gpu.available) {
    container.replaceChildren(el("p", { className: "muted", textContent: `No GPU: ${gpu.reason ?? "none reported"}` }));
    return;
  }
  container.replaceChildren(...gpu.devices.map((d) => {
    const used = d.memoryUsedMiB ?? 0;
    const total = d.memoryTotalMiB ?? 0;
    const memory = el("div", { className: "progress" },
      el("progress", { max: 1, value: total ? used / total : 0 }),
      el("span", { className: "progress-label", textContent: total ? `${(used / 1024).toFixed(1)} / ${(total / 1024).toFixed(1)} GB` : "memory unknown" }));
    const facts = [
      d.utilizationPercent != null ? `${Math.round(d.utilizationPercent)} % busy` : null,
      d.temperatureCelsius != null ? `${Math.round(d.temperatureCelsius)} °C` : null,
    ].filter(Boolean).join(" · ");
    return el("div", { className: "gpu-device" }, el("div", { className: "small", textContent: `#${d.index} ${d.name}` }), memory,
      facts ? el("div", { className: "muted small", textContent: facts }) : null);
  }));
}

/** The last LOG_LINES lines; keeps the view at the bottom unless the user scrolled up or unticked "follow". */
export class LogTail {
  constructor(pre, followBox) {
    this.pre = pre;
    this.followBox = followBox;
    this.lines = [];
    // Scrolling up stops following; scrolling back to the bottom (or ticking the box) follows again.
    pre.addEventListener("scroll", () => {
      followBox.checked = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8;
    });
    followBox.addEventListener("change", () => followBox.checked && this.#scroll());
  }

  clear() {
    this.lines = [];
    this.pre.textContent = "";
  }

  add(time, message) {
    const stamp = time ? new Date(time).toLocaleTimeString() : "";
    this.lines.push(`${stamp}  ${message}`);
    if (this.lines.length > LOG_LINES) this.lines.splice(0, this.lines.length - LOG_LINES);
    this.pre.textContent = this.lines.join("\n");
    if (this.followBox.checked) this.#scroll();
  }

  #scroll() {
    this.pre.scrollTop = this.pre.scrollHeight;
  }
}

/** The checkpoint table, by name (a checkpoint can come from the record and again from an event). */
export class CheckpointList {
  constructor(table, emptyEl, runId) {
    this.body = table.tBodies[0];
    this.table = table;
    this.emptyEl = emptyEl;
    this.runId = runId;
    this.byName = new Map();
  }

  has(name) {
    return this.byName.has(name);
  }

  add(checkpoint) {
    this.byName.set(checkpoint.name, checkpoint);
    const rows = [...this.byName.values()].sort((a, b) => a.step - b.step).map((c) => {
      const tr = el("tr", {},
        el("td", { className: "num", textContent: String(c.step) }),
        el("td", { className: "num", textContent: String(c.epoch) }),
        el("td", { className: "num", textContent: formatBytes(c.sizeBytes) }),
        el("td", { className: "muted", textContent: new Date(c.createdAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }),
        el("td", { className: "actions" }, el("a", { className: "button small", href: runUrl(this.runId, "checkpoints", c.name, "adapter"), download: "", textContent: "Adapter" })));
      tr.dataset.name = c.name;
      return tr;
    });
    this.body.replaceChildren(...rows);
    this.table.hidden = false;
    this.emptyEl.hidden = true;
  }
}
