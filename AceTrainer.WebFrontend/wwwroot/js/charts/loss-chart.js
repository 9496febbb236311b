// The training-loss chart of the run pages: one run's raw loss (faint) under its smoothed curve, an optional second run
// to compare with, drag-to-zoom on steps, log y axis. Stays fast at 100k+ points: uPlot only ever gets about two
// points per pixel of the visible step range, picked by LTTB, and live points cost at most one redraw per frame.
import uPlot from "/lib/uplot/uPlot.esm.js";
import { lttb } from "/js/charts/lttb.js";
import { MetricSeries } from "/js/charts/metric-series.js";

const UPLOT_CSS = "/lib/uplot/uPlot.min.css";
const POINTS_PER_PIXEL = 2;
const MIN_DRAG_PIXELS = 4; // a shorter drag is a click, not a zoom

export class LossChart {
  #root;                      // our element inside the caller's container: the plot and the empty-state text
  #empty;                     // "no loss yet" text, shown while there is nothing to draw
  #height;
  #plot = null;               // the uPlot instance; rebuilt when its series or y distribution change
  #run = new MetricSeries();
  #runLabel = "loss";
  #comparison = null;         // MetricSeries of the second run, or null
  #comparisonLabel = "";
  #smoothing = 0;
  #log = false;
  #zoom = null;               // [minStep, maxStep] the user zoomed to, or null for everything
  #frame = 0;                 // pending requestAnimationFrame id (0 when none): appends within one frame share a redraw
  #renderedPointCount = 0;
  #renderedWidth = 0;         // plot width (CSS px) the current points were picked for
  #resizeObserver;

  constructor(container, { height = 320 } = {}) {
    ensureStylesheet(UPLOT_CSS);
    this.#height = height;
    this.#root = document.createElement("div");
    this.#root.className = "loss-chart";
    this.#empty = document.createElement("p");
    this.#empty.className = "loss-chart-empty muted";
    this.#empty.textContent = "No loss yet: the chart fills in as the run trains.";
    this.#root.append(this.#empty);
    container.append(this.#root);
    this.#build();
    this.#resizeObserver = new ResizeObserver(() => this.#resize());
    this.#resizeObserver.observe(this.#root);
  }

  /** The uPlot instance (for tests and for callers that need its scales); replaced by setRun, setLogScale... */
  get uplot() { return this.#plot; }
  get pointCount() { return this.#run.length; }
  get renderedPointCount() { return this.#renderedPointCount; }

  setRun(label, { step, loss }) {
    this.#run.replaceAll(step, loss);
    this.#zoom = null;
    if (label !== this.#runLabel) {
      this.#runLabel = label;
      this.#build();
    } else {
      this.#render();
    }
  }

  append(step, loss) {
    this.#run.set(step, loss);
    this.#scheduleRender();
  }

  setComparison(label, history) {
    if (history) {
      this.#comparison = new MetricSeries();
      this.#comparison.replaceAll(history.step, history.loss);
      this.#comparison.weight = this.#smoothing;
      this.#comparisonLabel = label;
    } else {
      this.#comparison = null;
    }
    this.#build();
  }

  setSmoothing(weight) {
    const clamped = Math.min(0.99, Math.max(0, Number(weight) || 0));
    const rebuild = (clamped > 0) !== (this.#smoothing > 0); // the smoothed series comes or goes
    this.#smoothing = clamped;
    this.#run.weight = clamped;
    if (this.#comparison) this.#comparison.weight = clamped;
    if (rebuild) this.#build();
    else this.#scheduleRender(); // a slider sends many values a frame
  }

  setLogScale(on) {
    if (Boolean(on) === this.#log) return;
    this.#log = Boolean(on);
    this.#build();
  }

  resetZoom() {
    this.#zoom = null;
    this.#render();
  }

  destroy() {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#resizeObserver.disconnect();
    this.#plot?.destroy();
    this.#plot = null;
    this.#root.remove();
  }

  #build() {
    this.#plot?.destroy();
    const colors = themeColors();
    const smoothed = this.#smoothing > 0;
    const line = (label, stroke, width) => ({ label, stroke, width, spanGaps: true, points: { show: false }, value: formatLoss });
    const series = [
      { label: "step", value: (u, v) => (v == null ? "--" : String(v)) },
      line(this.#runLabel, smoothed ? withAlpha(colors.accent, 0.3) : colors.accent, smoothed ? 1 : 1.5),
    ];
    if (smoothed) series.push(line(`${this.#runLabel} (smoothed)`, colors.accent, 2));
    if (this.#comparison) series.push(line(this.#comparisonLabel, colors.compare, 1.5));
    const axis = (label) => ({ label, stroke: colors.muted, grid: { stroke: colors.border }, ticks: { stroke: colors.border } });
    this.#plot = new uPlot({
      width: this.#width(),
      height: this.#height,
      series,
      scales: { x: { time: false }, y: this.#log ? { distr: 3, log: 10 } : { distr: 1 } },
      axes: [axis("step"), { ...axis("loss"), size: 60 }],
      cursor: {
        drag: { x: true, y: false, setScale: false }, // we zoom ourselves (setSelect) so we can re-downsample
        bind: { dblclick: () => null },               // uPlot's own reset would go to the downsampled zoomed data
      },
      hooks: {
        setSelect: [(u) => this.#zoomToSelection(u)],
        // uPlot lays out its axes after we hand it data, so the plot width is only known here (and after resizes).
        setSize: [(u) => u.over.clientWidth !== this.#renderedWidth && this.#scheduleRender()],
      },
    }, [[], ...series.slice(1).map(() => [])], this.#root);
    this.#plot.over.addEventListener("dblclick", () => this.resetZoom());
    this.#render();
  }

  #scheduleRender() {
    if (!this.#frame) this.#frame = requestAnimationFrame(() => this.#render());
  }

  #render() {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    const u = this.#plot;
    // A rebuilt plot is laid out only after this first render: until then its width is the last one we drew at.
    this.#renderedWidth = u.over.clientWidth || this.#renderedWidth || u.width;
    const threshold = Math.max(16, Math.round(POINTS_PER_PIXEL * this.#renderedWidth));
    const [min, max] = this.#zoom ?? [-Infinity, Infinity];
    const visible = (series, values) => downsample(series, values, min, max, threshold, this.#log);

    const raw = visible(this.#run, this.#run.values);
    const tables = [raw];
    if (this.#smoothing > 0) tables.push(visible(this.#run, this.#run.smoothed()));
    if (this.#comparison) tables.push(visible(this.#comparison, this.#comparison.smoothed()));
    this.#renderedPointCount = raw[0].length;
    this.#empty.hidden = this.#run.length > 0 || (this.#comparison?.length ?? 0) > 0;

    const data = tables.length === 1 ? raw : uPlot.join(tables);
    if (this.#zoom) {
      u.setData(data, false);
      u.setScale("x", { min, max }); // also re-ranges y to the visible points
    } else {
      u.setData(data, true);
    }
  }

  #zoomToSelection(u) {
    const { left, width } = u.select;
    if (width < MIN_DRAG_PIXELS) return;
    this.#zoom = [u.posToVal(left, "x"), u.posToVal(left + width, "x")];
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.#render();
  }

  #resize() {
    const width = this.#width();
    if (!this.#plot || width === this.#plot.width) return;
    this.#plot.setSize({ width, height: this.#height }); // its setSize hook downsamples again for the new width
  }

  #width() {
    return Math.max(200, this.#root.clientWidth || 600);
  }
}

/** The points of series within [min, max] steps, LTTB-downsampled to threshold, as a uPlot table [xs, ys]. */
function downsample(series, values, min, max, threshold, log) {
  const from = series.lowerBound(min);
  const to = series.upperBound(max);
  let xs = series.steps.subarray(from, to);
  let ys = values.subarray(from, to);
  // A log axis cannot place zero or negative loss, and no axis can place NaN: leave those points out.
  const floor = log ? 0 : -Infinity;
  let drawable = 0;
  for (let i = 0; i < ys.length; i++) if (ys[i] > floor && ys[i] < Infinity) drawable++; // false for NaN
  if (drawable < ys.length) {
    const keptXs = new Float64Array(drawable);
    const keptYs = new Float64Array(drawable);
    for (let i = 0, k = 0; i < ys.length; i++) {
      if (ys[i] > floor && ys[i] < Infinity) {
        keptXs[k] = xs[i];
        keptYs[k++] = ys[i];
      }
    }
    xs = keptXs;
    ys = keptYs;
  }
  const picked = lttb(xs, ys, threshold);
  return [picked.xs, picked.ys];
}

function formatLoss(u, v) {
  return v == null ? "--" : Number(v.toPrecision(5)).toString();
}

/** The site's dark-theme colours (css/site.css custom properties); canvas strokes cannot use var(). */
function themeColors() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    accent: read("--accent", "#7c9cff"),
    compare: read("--warn", "#f2b441"),
    muted: read("--muted", "#8b93a5"),
    border: read("--border", "#2a2f3a"),
  };
}

function withAlpha(hex, alpha) {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return hex;
  const [r, g, b] = match.slice(1).map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function ensureStylesheet(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}
