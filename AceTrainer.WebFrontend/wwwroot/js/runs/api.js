// The Runs API as the browser sees it (the portal forwards /api/runs to the TrainingService), run states, stream ids.
import { el } from "../dom.js";
import { api } from "../http.js";
import { flash, showDialog } from "../dialog.js";

/** runUrl("ab12", "checkpoints", "epoch=0-step=10_lora", "adapter") -> "/api/runs/ab12/checkpoints/epoch%3D0-step%3D10_lora/adapter" */
export function runUrl(runId, ...parts) {
  return ["/api/runs", runId, ...parts].map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join("/");
}

export const detailHref = (runId) => `/Runs/Detail?id=${encodeURIComponent(runId)}`;

/** Redis stream ids "<ms>-<seq>" ordered as number pairs: negative, 0 or positive like a comparator. */
export function compareIds(a, b) {
  const [am, as] = String(a).split("-").map(Number);
  const [bm, bs] = String(b).split("-").map(Number);
  return am - bm || (as || 0) - (bs || 0);
}

/** A state as the contract spells it ("training"), whatever casing it arrived in; buttons and styles key on this. */
export const stateName = (state) => String(state ?? "").toLowerCase();

// Which actions each state allows (the API answers 409 otherwise; these only decide which buttons show).
const ACTIVE = new Set(["queued", "scheduled", "preparing", "training", "paused"]);
export const isFinal = (state) => ["completed", "failed", "cancelled"].includes(stateName(state));
export const can = {
  cancel: (state) => ACTIVE.has(stateName(state)),
  pause: (state) => ["queued", "scheduled", "preparing", "training"].includes(stateName(state)),
  resume: (state) => stateName(state) === "paused",
  delete: (state) => !["queued", "preparing", "training"].includes(stateName(state)),
};

export function stateBadge(state) {
  const badge = el("span", { className: "badge run-state", textContent: stateName(state) });
  badge.dataset.state = stateName(state);
  return badge;
}

/** "12 / 40" and a 0..1 fraction from a run's progress. */
export function progressOf(run) {
  const { step = 0, totalSteps = 0 } = run.progress ?? {};
  return { text: totalSteps ? `${step} / ${totalSteps}` : String(step), fraction: totalSteps ? Math.min(1, step / totalSteps) : 0 };
}

export function formatNumber(value, digits = 4) {
  if (value == null || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(2) : Number(value.toPrecision(digits)).toString();
}

const ACTION_TEXT = {
  cancel: { title: "Cancel", done: "cancelled", settled: "cancelled", body: "The run stops for good; the checkpoints saved so far stay downloadable.", kind: "danger" },
  delete: { title: "Delete", done: "deleted", body: "Its checkpoints, metrics, logs and record are deleted for good.", kind: "danger" },
  pause: { title: "Pause", done: "paused", settled: "paused", body: null },
  resume: { title: "Resume", done: "resumed", body: null },
};

/**
 * Runs one action on a run (cancel, pause, resume, delete), asking first where it cannot be undone.
 * Resolves the updated RunRecord (null after delete), or undefined when the user said no or it failed (shown in a flash).
 */
export async function runAction(run, action) {
  const text = ACTION_TEXT[action];
  if (text.body) {
    const choice = await showDialog({
      title: `${text.title} “${run.name}”?`,
      body: text.body,
      actions: [{ label: "Keep it", value: "no", kind: "primary" }, { label: text.title, value: "yes", kind: text.kind }],
    });
    if (choice !== "yes") return undefined;
  }
  try {
    const { data } = action === "delete"
      ? await api(runUrl(run.id), { method: "DELETE" })
      : await api(runUrl(run.id, action), { method: "POST" });
    // A run a worker holds stops at the worker's next heartbeat (a few seconds) after saving a checkpoint: the answer still says "training".
    const waiting = text.settled && data && stateName(data.state) !== text.settled;
    flash(`“${run.name}”: ${waiting ? `${action} requested; the worker saves a checkpoint and stops it in a few seconds` : text.done}.`);
    return action === "delete" ? null : data;
  } catch (e) {
    flash(`${text.title} “${run.name}” failed: ${e.message}`, "error");
    return undefined;
  }
}
