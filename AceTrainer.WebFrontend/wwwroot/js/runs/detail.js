// Run page: the live view of one run (header and stats, loss chart, GPU, checkpoints, log) fed by RunFeed.
import { el, formatDuration } from "../dom.js";
import { api } from "../http.js";
import { flash } from "../dialog.js";
import { can, formatNumber, isFinal, runAction, runUrl, stateName } from "./api.js";
import { RunFeed } from "./live.js";
import { LossPanel } from "./loss-panel.js";
import { CheckpointList, LogTail, renderGpu } from "./panels.js";

const $ = (id) => document.getElementById(id);
const runId = $("run").dataset.runId;
const LINK_TEXT = { live: "● live", polling: "◌ live connection lost, polling", down: "○ live connection lost, polling" };
let run = null;
// The latest step's figures (from the history's last point, then from step events).
let latest = {};

const lossPanel = new LossPanel(runId);
const log = new LogTail($("log"), $("log-follow"));
const checkpoints = new CheckpointList($("checkpoints"), $("no-checkpoints"), runId);

function showRun(record) {
  run = record;
  document.title = `${run.name} · AceTrainer`;
  $("run-name").textContent = run.name;
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : null);
  $("run-meta").replaceChildren(
    "Dataset ", el("a", { href: `/Datasets/${encodeURIComponent(run.datasetId)}`, textContent: run.datasetName || run.datasetId }),
    " · snapshot ", el("code", { textContent: run.snapshotId }),
    ` · created ${time(run.createdAt)}`,
    run.notBefore && !run.startedAt ? ` · scheduled for ${time(run.notBefore)}` : "",
    run.startedAt ? ` · started ${time(run.startedAt)}` : "",
    run.finishedAt ? ` · finished ${time(run.finishedAt)} (${formatDuration((Date.parse(run.finishedAt) - Date.parse(run.startedAt ?? run.createdAt)) / 1000)})` : "",
    run.attempts > 1 ? ` · attempt ${run.attempts}` : "");
  $("run-error").hidden = !run.error;
  $("run-error").textContent = run.error ? `Error: ${run.error}` : "";
  $("config").textContent = JSON.stringify(run.config, null, 2);
  for (const c of run.checkpoints ?? []) if (!checkpoints.has(c.name)) checkpoints.add(c);
  showState(run.state);
  showProgress({ ...run.progress, ...latest, totalSteps: latest.totalSteps ?? run.progress?.totalSteps });
}

function showState(state) {
  run.state = stateName(state);
  state = run.state;
  $("state").textContent = state;
  $("state").dataset.state = state;
  $("pause").hidden = !can.pause(state);
  $("resume").hidden = !can.resume(state);
  $("cancel").hidden = !can.cancel(state);
  showProgress(latest);
}

/** Header figures; a field that is missing keeps its last value. */
function showProgress(p) {
  latest = { ...latest, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v != null)) };
  const { step = 0, totalSteps = 0, epoch, loss, denoisingLoss, learningRate, gradNorm, samplesPerSecond, etaSeconds } = latest;
  $("stat-step").textContent = totalSteps ? `${step} / ${totalSteps}` : String(step);
  $("stat-epoch").textContent = epoch != null ? String(epoch) : "—";
  $("stat-eta").textContent = run?.state === "completed" ? "done" : !isFinal(run?.state) && etaSeconds != null && step > 0 ? formatDuration(etaSeconds) : "—";
  $("stat-speed").textContent = formatNumber(samplesPerSecond, 3);
  $("stat-lr").textContent = formatNumber(learningRate, 3);
  $("stat-grad").textContent = formatNumber(gradNorm, 3);
  $("stat-loss").textContent = formatNumber(loss);
  $("stat-denoising").textContent = formatNumber(denoisingLoss);
  const fraction = totalSteps ? Math.min(1, step / totalSteps) : 0;
  $("progress").value = fraction;
  $("progress-label").textContent = {
    queued: "waiting in the queue",
    scheduled: "scheduled",
    preparing: "preparing the data and the model…",
  }[run?.state] ?? (totalSteps ? `${Math.round(fraction * 100)} %` : "");
  if (run?.state === "preparing") $("progress").removeAttribute("value");
}

function onHistory(history) {
  log.clear();
  latest = {};
  const m = history.metrics ?? {};
  const last = (m.step?.length ?? 0) - 1;
  if (last >= 0) {
    latest = {
      step: m.step[last], epoch: m.epoch?.[last], loss: m.loss?.[last], denoisingLoss: m.denoisingLoss?.[last],
      learningRate: m.learningRate?.[last], gradNorm: m.gradNorm?.[last], samplesPerSecond: m.samplesPerSecond?.[last],
    };
  }
  showRun(history.run);
  lossPanel.setCurve(history.run.name, m.step ?? [], m.loss ?? []);
}

async function refreshRecord() {
  try {
    const { data } = await api(runUrl(runId));
    showRun(data);
  } catch (e) {
    flash(`Could not reload the run: ${e.message}`, "error");
  }
}

function onEvent(event, id, { live }) {
  switch (event.type) {
    case "step":
      lossPanel.addStep(event.step.step, event.step.loss);
      showProgress(event.step);
      break;
    case "state":
      showState(event.state);
      // The record has what the event does not: timestamps, the error, checkpoints copied at the end.
      if (live) refreshRecord();
      break;
    case "log":
      log.add(event.time, event.message);
      break;
    case "checkpoint": {
      const fresh = !checkpoints.has(event.checkpoint.name);
      checkpoints.add(event.checkpoint);
      if (live && fresh) flash(`Checkpoint saved at step ${event.checkpoint.step}: its adapter can be downloaded now.`);
      break;
    }
    case "gpu":
      renderGpu($("gpu"), event.gpu);
      break;
  }
}

function onLink(state) {
  $("link").dataset.state = state;
  $("link").textContent = LINK_TEXT[state];
}

async function loadComparisons() {
  try {
    const { data } = await api("/api/runs");
    lossPanel.offerComparisons(data);
  } catch {
    // Comparison is optional; the list stays at "none".
  }
}

for (const action of ["pause", "resume", "cancel"]) {
  $(action).addEventListener("click", async () => {
    $(action).disabled = true;
    const updated = await runAction(run, action);
    $(action).disabled = false;
    if (updated) showRun(updated);
  });
}
$("run").addEventListener("chart-error", (e) => flash(e.detail, "error"));

if (!runId) {
  flash("No run given: open a run from the Runs list.", "error");
} else {
  $("again").href = `/Runs/New?from=${encodeURIComponent(runId)}`;
  $("download-metrics").href = runUrl(runId, "metrics");
  $("download-tensorboard").href = runUrl(runId, "tensorboard");
  $("download-log").href = runUrl(runId, "log");
  await lossPanel.init();
  let lastError = "";
  const feed = new RunFeed(runId, {
    onHistory,
    onEvent,
    onLink,
    onError: (e) => {
      // One flash per distinct problem while the load retries.
      if (e.message !== lastError) flash(`Could not load the run (retrying): ${e.message}`, "error");
      lastError = e.message;
    },
  });
  try {
    await feed.start();
  } catch (e) {
    flash(e.status === 404 ? "This run does not exist (any more)." : `Could not load the run: ${e.message}`, "error");
  }
  loadComparisons();
}
