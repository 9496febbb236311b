// The list of samples on the left: stem, duration, a validity badge; a filter; the selected one highlighted.
import { el, formatDuration } from "../dom.js";
import { severityBadge } from "./issues.js";

export class SampleList {
  /** onSelect(stem) when a sample is clicked. */
  constructor({ listEl, filterEl, countEl, onSelect }) {
    this.listEl = listEl;
    this.filterEl = filterEl;
    this.countEl = countEl;
    this.onSelect = onSelect;
    this.samples = [];
    this.selected = null;
    filterEl.addEventListener("input", () => this.render());
  }

  /** The samples the filter lets through, in list order: what previous/next walk. */
  get visible() {
    const needle = this.filterEl.value.trim().toLowerCase();
    return needle
      ? this.samples.filter((s) => s.stem.toLowerCase().includes(needle) || s.prompt.toLowerCase().includes(needle))
      : this.samples;
  }

  setSamples(samples) {
    this.samples = [...samples].sort((a, b) => a.stem.localeCompare(b.stem));
    this.render();
  }

  /** Replaces one sample (after a save) without rebuilding the order. */
  update(sample) {
    const index = this.samples.findIndex((s) => s.stem === sample.stem);
    if (index >= 0) this.samples[index] = sample;
    this.render();
  }

  select(stem) {
    this.selected = stem;
    this.render();
    this.listEl.querySelector("[aria-selected=true]")?.scrollIntoView({ block: "nearest" });
  }

  render() {
    const visible = this.visible;
    this.countEl.textContent = visible.length === this.samples.length ? `${this.samples.length} samples` : `${visible.length} of ${this.samples.length}`;
    this.listEl.replaceChildren(...visible.map((s) => {
      const item = el("li", { className: "sample-item", tabIndex: -1 },
        el("span", { className: "sample-stem", textContent: s.stem }),
        el("span", { className: "muted small", textContent: formatDuration(s.facts.durationSeconds) }),
        severityBadge(s.issues));
      item.dataset.stem = s.stem;
      item.setAttribute("aria-selected", String(s.stem === this.selected));
      item.addEventListener("click", () => this.onSelect(s.stem));
      return item;
    }));
  }
}
