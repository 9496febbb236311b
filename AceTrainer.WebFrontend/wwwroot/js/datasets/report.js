// Validation report and dataset stats: counts, a duration histogram, and every issue with a link to its sample.
import uPlot from "/lib/uplot/uPlot.esm.js";
import { el, formatDuration, progressBar } from "../dom.js";
import { api } from "../http.js";
import { flash } from "../dialog.js";
import { datasetUrl } from "./urls.js";

// Bin widths people read easily; the first that gives at most MAX_BINS bins is used.
const BIN_SECONDS = [5, 10, 15, 30, 60, 120, 300];
const MAX_BINS = 16;
const SEVERITY_ORDER = { Error: 0, Warning: 1, Info: 2 };

export function setupReport({ datasetId, samples, openSample }) {
  const $ = (id) => document.getElementById(id);
  const chartEl = $("duration-chart");
  let chart = null;

  function stat(label, value, kind = "") {
    return el("div", { className: `stat ${kind}` }, el("span", { className: "stat-value", textContent: value }), el("span", { className: "stat-label", textContent: label }));
  }

  function renderStats(s, durations) {
    $("stats").replaceChildren(
      stat("samples", String(s.count)),
      stat("valid", String(s.validCount), "ok"),
      stat("invalid", String(s.invalidCount), s.invalidCount > 0 ? "bad" : ""),
      stat("total duration", formatDuration(s.totalDurationSeconds)),
      stat("mean duration", formatDuration(s.meanDurationSeconds)),
      stat("shortest / longest", durations.length ? `${formatDuration(Math.min(...durations))} / ${formatDuration(Math.max(...durations))}` : "—"));
    $("stats").dataset.valid = String(s.validCount);
    $("stats").dataset.invalid = String(s.invalidCount);
  }

  function renderIssues(report) {
    const rows = report.samples
      .flatMap((sample) => sample.issues.map((issue) => ({ stem: sample.stem, ...issue })))
      .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.stem.localeCompare(b.stem));
    $("issue-table").tBodies[0].replaceChildren(...rows.map((r) => {
      const link = el("a", { href: "#", textContent: r.stem });
      link.addEventListener("click", (e) => {
        e.preventDefault();
        openSample(r.stem);
      });
      return el("tr", { className: `issue-row ${r.severity.toLowerCase()}` }, el("td", {}, link),
        el("td", {}, el("span", { className: `severity ${r.severity.toLowerCase()}`, textContent: r.severity.toLowerCase() })),
        el("td", { textContent: r.message }));
    }));
    $("issue-table").hidden = rows.length === 0;
    $("no-issues").hidden = rows.length > 0;
  }

  function renderHistogram(durations) {
    const max = Math.max(1, ...durations);
    const width = BIN_SECONDS.find((w) => max / w <= MAX_BINS) ?? BIN_SECONDS.at(-1);
    const bins = Math.floor(max / width) + 1;
    // Bars sit at bin centres, so axis ticks fall on bin edges.
    const centres = Array.from({ length: bins }, (_, i) => (i + 0.5) * width);
    const counts = centres.map(() => 0);
    for (const d of durations) counts[Math.min(bins - 1, Math.floor(d / width))]++;
    chart?.destroy();
    chartEl.dataset.bins = String(bins);
    chart = new uPlot({
      width: Math.max(320, chartEl.clientWidth || 480),
      height: 240,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: [0, bins * width] }, y: { range: [0, Math.max(...counts) + 1] } },
      axes: [
        { stroke: "#8b93a5", grid: { stroke: "#2a2f3a" }, values: (_, ticks) => ticks.map((t) => (t >= 0 ? formatDuration(t) : "")) },
        { stroke: "#8b93a5", grid: { stroke: "#2a2f3a" }, label: "samples", values: (_, ticks) => ticks.map((t) => (Number.isInteger(t) ? t : "")) },
      ],
      series: [
        {},
        { label: "samples", stroke: "#7c9cff", fill: "rgba(124,156,255,.45)", paths: uPlot.paths.bars({ size: [0.9, 80] }), points: { show: false } },
      ],
    }, [centres, counts], chartEl);
  }

  async function activate() {
    const bar = progressBar("checking samples…");
    bar.set(null);
    $("report-progress").replaceChildren(bar.root);
    try {
      const { data: report } = await api(datasetUrl(datasetId, "validation"));
      const durations = samples().map((s) => s.facts.durationSeconds);
      renderStats(report.stats, durations);
      renderIssues(report);
      renderHistogram(durations);
    } catch (e) {
      flash(`Validation failed: ${e.message}`, "error");
    } finally {
      $("report-progress").replaceChildren();
    }
  }

  return { activate };
}
