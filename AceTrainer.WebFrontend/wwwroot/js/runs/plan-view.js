// The New run form's side panel: what the settings mean in steps and epochs, and the GPU memory they need.
import { el } from "../dom.js";

const GIB = 1024 ** 3;
// GPU memory sizes people have (consumer 16/24 GB, workstation 48 GB, data centre 80 GB).
const GPU_SIZES_GB = [16, 24, 48, 80];
const round = (value, digits = 2) => Number(Number(value).toFixed(digits)).toString();
// Parts under 1 GB (the adapter, its optimizer state) would all read "0.0 GB".
const gb = (bytes) => (bytes >= GIB / 10 ? `${(bytes / GIB).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`);

/** "2000 steps = 12.5 epochs of 40 samples × repeat 4 / accumulation 4 (160 steps per epoch)". */
export function renderPlan(target, plan, config) {
  if (!plan) {
    delete target.dataset.totalSteps;
    target.className = "plan muted";
    target.textContent = "No plan while a setting is invalid (see the marked fields).";
    return;
  }
  target.className = "plan";
  const repeat = config.repeat_count ?? 1;
  const accumulation = config.gradient_accumulation_steps ?? 1;
  target.replaceChildren(
    el("strong", { textContent: `${plan.totalSteps} steps = ${round(plan.totalEpochs)} epochs` }),
    ` of ${plan.samples} samples × repeat ${repeat} / accumulation ${accumulation}`,
    el("br"),
    el("span", { className: "muted small", textContent: `${round(plan.stepsPerEpoch)} optimizer steps per epoch, ${plan.microBatchesPerEpoch} micro-batches per epoch` }));
  target.dataset.totalSteps = String(plan.totalSteps);
}

/** The estimate in GB, its parts, and a bar against common GPU sizes. */
export function renderVram(target, vram) {
  if (!vram) {
    delete target.dataset.totalBytes;
    target.replaceChildren(el("p", { className: "muted", textContent: "No estimate while a setting is invalid." }));
    return;
  }
  const totalGb = vram.totalBytes / GIB;
  const scale = Math.max(GPU_SIZES_GB.at(-1), totalGb) * 1.08;
  const fits = GPU_SIZES_GB.find((size) => totalGb <= size);
  const fill = el("div", { className: "vram-fill" });
  fill.style.width = `${(totalGb / scale) * 100}%`;
  fill.dataset.fits = fits ? String(fits) : "none";
  const ticks = GPU_SIZES_GB.map((size) => {
    const tick = el("span", { className: "vram-tick", textContent: `${size}` });
    tick.style.left = `${(size / scale) * 100}%`;
    return tick;
  });
  // Every part the estimate names (weightsBytes, adapterBytes, optimizerBytes, activationsBytes, ...).
  const parts = Object.entries(vram)
    .filter(([key, bytes]) => key.endsWith("Bytes") && key !== "totalBytes" && typeof bytes === "number")
    .map(([key, bytes]) => `${key.slice(0, -"Bytes".length)} ${gb(bytes)}`)
    .join(" · ");
  target.replaceChildren(
    el("p", { className: "vram-total" }, el("strong", { textContent: `≈ ${gb(vram.totalBytes)}` }),
      el("span", { className: "muted", textContent: fits ? ` fits a ${fits} GB GPU` : " more than an 80 GB GPU holds" })),
    el("div", { className: "vram-bar", title: "estimated peak GPU memory against 16, 24, 48 and 80 GB" }, fill, ...ticks),
    el("p", { className: "muted small", textContent: parts }),
    vram.note ? el("p", { className: "muted small", textContent: vram.note }) : null);
  target.dataset.totalBytes = String(vram.totalBytes);
}
