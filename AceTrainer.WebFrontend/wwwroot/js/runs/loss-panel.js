// The run page's loss chart with its controls (smoothing, log scale, zoom reset, comparison run) and keyboard keys.
import { el, isTyping } from "../dom.js";
import { api } from "../http.js";
import { runUrl } from "./api.js";

const CHART_HEIGHT = 340;

export class LossPanel {
  /** Controls are looked up by id (see Pages/Runs/Detail.cshtml); the chart module loads in init(). */
  constructor(runId) {
    const $ = (id) => document.getElementById(id);
    this.runId = runId;
    this.chartEl = $("loss-chart");
    this.smoothing = $("smoothing");
    this.smoothingValue = $("smoothing-value");
    this.logScale = $("log-scale");
    this.resetZoom = $("reset-zoom");
    this.compare = $("compare");
    this.chart = null;
    this.label = "";
    // The run's curve as the page has it, one point per step, ascending; the chart gets the same points.
    this.steps = [];
    this.losses = [];
  }

  /** Loads the chart module; without it (not deployed, or broken) the page works on and says why there is no chart. */
  async init() {
    try {
      const { LossChart } = await import("../charts/loss-chart.js");
      this.chart = new LossChart(this.chartEl, { height: CHART_HEIGHT });
    } catch (e) {
      this.chartEl.replaceChildren(el("p", { className: "muted chart-missing", textContent: `The loss chart is not available: ${e.message}` }));
      return;
    }
    this.chart.setSmoothing(Number(this.smoothing.value));
    this.smoothing.addEventListener("input", () => {
      this.smoothingValue.value = Number(this.smoothing.value).toFixed(2);
      this.chart.setSmoothing(Number(this.smoothing.value));
    });
    this.logScale.addEventListener("change", () => this.chart.setLogScale(this.logScale.checked));
    this.resetZoom.addEventListener("click", () => this.chart.resetZoom());
    this.compare.addEventListener("change", () => this.#compareWith(this.compare.value));
    document.addEventListener("keydown", (e) => this.#key(e));
    this.#redraw();
  }

  /** The whole curve (from the run's history). */
  setCurve(label, steps, losses) {
    this.label = label;
    this.steps = Array.from(steps);
    this.losses = Array.from(losses, Number);
    this.#redraw();
  }

  /** One step: appended when new; a step the page has already (a resumed run repeats steps) replaces its value. */
  addStep(step, loss) {
    // A diverged loss arrives as the string "NaN" (JsonDefaults writes named floating-point literals).
    loss = Number(loss);
    const index = this.steps.findLastIndex((s) => s <= step);
    if (this.steps[index] === step) this.losses[index] = loss;
    else {
      this.steps.splice(index + 1, 0, step);
      this.losses.splice(index + 1, 0, loss);
    }
    this.chart?.append(step, loss);
    this.#count();
  }

  /** Fills the "compare with" list: every other run. */
  offerComparisons(runs) {
    const current = this.compare.value;
    this.compare.replaceChildren(el("option", { value: "", textContent: "none" }),
      ...runs.filter((r) => r.id !== this.runId).map((r) => el("option", { value: r.id, textContent: `${r.name} (${r.state})` })));
    this.compare.value = current;
  }

  async #compareWith(otherId) {
    if (!otherId) {
      this.chart.setComparison(null);
      delete this.chartEl.dataset.comparisonPoints;
      return;
    }
    const label = this.compare.selectedOptions[0]?.textContent ?? otherId;
    try {
      const { data } = await api(runUrl(otherId, "history"));
      if (this.compare.value !== otherId) return;
      this.chart.setComparison(label, { step: data.metrics.step, loss: data.metrics.loss });
      this.chartEl.dataset.comparisonPoints = String(data.metrics.step.length);
    } catch (e) {
      this.compare.value = "";
      this.chart.setComparison(null);
      this.chartEl.dispatchEvent(new CustomEvent("chart-error", { bubbles: true, detail: `Could not load “${label}”: ${e.message}` }));
    }
  }

  #key(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || (isTyping(e.target) && e.target.type !== "range")) return;
    if (e.key === "l") {
      this.logScale.checked = !this.logScale.checked;
      this.logScale.dispatchEvent(new Event("change"));
    } else if (e.key === "r") {
      this.chart.resetZoom();
    } else if (e.key === "s") {
      e.preventDefault();
      this.smoothing.focus();
    }
  }

  #redraw() {
    // Copies: the chart may keep what it is given, and append() adds to its own arrays.
    this.chart?.setRun(this.label, { step: [...this.steps], loss: [...this.losses] });
    this.#count();
  }

  /** The chart's point count, where tests and people can see it. */
  #count() {
    this.chartEl.dataset.points = String(this.chart?.pointCount ?? 0);
  }
}
