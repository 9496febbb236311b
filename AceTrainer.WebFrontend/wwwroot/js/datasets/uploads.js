// Audio uploads: drop or pick several files; each goes up in its own request with its own progress bar and error.
import { el, formatBytes, progressBar } from "../dom.js";
import { send } from "../http.js";
import { datasetUrl } from "./urls.js";

// Two at a time keeps the link busy without starving the server's analysis.
const PARALLEL = 2;

export function setupUploads({ datasetId, onUploaded }) {
  const dropzone = document.getElementById("dropzone");
  const input = document.getElementById("upload-input");
  const listEl = document.getElementById("uploads");
  const queue = [];
  let running = 0;

  function enqueue(files) {
    for (const file of files) {
      const bar = progressBar("waiting…");
      const message = el("span", { className: "upload-message small" });
      const row = el("div", { className: "upload", role: "group", ariaLabel: file.name },
        el("div", { className: "upload-head" }, el("span", { className: "upload-name", textContent: file.name }),
          el("span", { className: "muted small", textContent: formatBytes(file.size) })),
        bar.root, message);
      row.dataset.state = "queued";
      listEl.append(row);
      queue.push({ file, row, bar, message });
    }
    pump();
  }

  function pump() {
    while (running < PARALLEL && queue.length > 0) {
      running++;
      upload(queue.shift()).finally(() => {
        running--;
        pump();
      });
    }
  }

  async function upload({ file, row, bar, message }) {
    const body = new FormData();
    body.append("file", file, file.name);
    row.dataset.state = "uploading";
    try {
      const result = await send(`${datasetUrl(datasetId)}/samples?onConflict=Rename`, body, {
        onUpload: (f) => bar.set(f, `${Math.round(f * 100)}%`),
        onSent: () => bar.set(null, "analysing…"),
      });
      const stored = result.samples[0];
      bar.set(1, "done");
      row.dataset.state = "done";
      row.title = "Click to dismiss";
      message.textContent = stored.stem === stemOf(file.name) ? "added" : `added as “${stored.stem}”`;
      await onUploaded(stored.stem);
    } catch (e) {
      bar.set(0, "failed");
      row.dataset.state = "error";
      message.textContent = e.message;
    }
  }

  input.addEventListener("change", () => {
    enqueue([...input.files]);
    input.value = "";
  });
  dropzone.addEventListener("dragover", (e) => {
    e.preventDefault();
    dropzone.classList.add("over");
  });
  dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
  dropzone.addEventListener("drop", (e) => {
    e.preventDefault();
    dropzone.classList.remove("over");
    enqueue([...e.dataTransfer.files]);
  });
  listEl.addEventListener("click", (e) => e.target.closest(".upload[data-state=done]")?.remove());
}

function stemOf(fileName) {
  return fileName.replace(/\.[^.]+$/, "");
}
