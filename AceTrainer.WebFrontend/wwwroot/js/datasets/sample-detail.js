// The detail pane: facts, issues, waveform, and the prompt/lyrics/instrumental editor with its saved state.
import { el, formatBytes, formatDuration } from "../dom.js";
import { api } from "../http.js";
import { flash, showDialog } from "../dialog.js";
import { issueItem } from "./issues.js";
import { joinTags, renderChips, splitTags } from "./tags.js";
import { sampleUrl } from "./urls.js";
import { Waveform } from "./waveform.js";

const $ = (id) => document.getElementById(id);

export class SampleDetail {
  /** onSaved(sample) after a save or reload from the server; onDeleted(stem) after a delete. */
  constructor({ datasetId, onSaved, onDeleted }) {
    this.datasetId = datasetId;
    this.onSaved = onSaved;
    this.onDeleted = onDeleted;
    this.sample = null;
    this.saving = null;
    this.prompt = $("prompt");
    this.lyrics = $("lyrics");
    this.instrumental = $("instrumental");
    this.stateEl = $("save-state");
    this.waveform = new Waveform({ container: $("waveform"), playButton: $("play"), timeEl: $("time"), statusEl: $("waveform-status") });
    for (const field of [this.prompt, this.lyrics]) field.addEventListener("input", () => this.edited());
    this.instrumental.addEventListener("change", () => this.edited());
    $("save").addEventListener("click", () => this.save());
    $("delete-sample").addEventListener("click", () => this.delete());
    addEventListener("beforeunload", (e) => this.dirty && e.preventDefault());
  }

  get dirty() {
    return this.sample != null && (this.prompt.value !== this.sample.prompt || this.lyrics.value !== this.sample.lyrics ||
      this.instrumental.checked !== this.sample.instrumental);
  }

  /** Shows a sample as stored; null shows the empty state. position is "3 of 12". */
  show(sample, position = "") {
    this.sample = sample;
    $("detail-empty").hidden = sample != null;
    $("detail-body").hidden = sample == null;
    if (!sample) {
      this.waveform.stop();
      return;
    }
    $("stem").textContent = sample.stem;
    $("position").textContent = position;
    const f = sample.facts;
    $("facts").textContent = [
      sample.fileName, formatBytes(sample.audioBytes), formatDuration(f.durationSeconds), `${f.sampleRate} Hz`,
      f.channels === 1 ? "mono" : `${f.channels} ch`, f.codec,
      f.integratedLufs != null ? `${f.integratedLufs.toFixed(1)} LUFS` : null,
      `peak ${f.peakDbfs != null ? f.peakDbfs.toFixed(1) + " dBFS" : "−∞"}`,
    ].filter(Boolean).join(" · ");
    $("issues").replaceChildren(...sample.issues.map(issueItem));
    this.prompt.value = sample.prompt;
    this.lyrics.value = sample.lyrics;
    this.instrumental.checked = sample.instrumental;
    this.edited();
    this.waveform.show(sampleUrl(this.datasetId, sample.stem, "audio"), f.durationSeconds, sample.audioBytes);
  }

  /** Keeps the pane in step with the fields: chips, lyrics enabled, saved/unsaved label. */
  edited() {
    this.lyrics.disabled = this.instrumental.checked;
    renderChips($("chips"), this.prompt.value, (index) => {
      const tags = splitTags(this.prompt.value);
      tags.splice(index, 1);
      this.prompt.value = joinTags(tags);
      this.edited();
    });
    if (!this.saving) this.setState(this.dirty ? "dirty" : "saved");
  }

  setState(state, message) {
    this.stateEl.dataset.state = state;
    this.stateEl.textContent = message ?? { saved: "Saved", dirty: "Unsaved changes", saving: "Saving…" }[state];
  }

  /** Saves unsaved edits; resolves true when nothing is left unsaved. */
  save() {
    this.saving ??= this.saveNow(this.sample?.version).finally(() => {
      this.saving = null;
      if (this.stateEl.dataset.state !== "error") this.setState(this.dirty ? "dirty" : "saved");
    });
    return this.saving;
  }

  async saveNow(ifMatch) {
    if (!this.dirty) return true;
    const stem = this.sample.stem;
    const edit = { prompt: this.prompt.value, lyrics: this.lyrics.value, instrumental: this.instrumental.checked };
    this.setState("saving");
    try {
      const { data } = await api(sampleUrl(this.datasetId, stem), { method: "PUT", json: edit, headers: { "If-Match": ifMatch } });
      this.stored(data);
      return true;
    } catch (e) {
      if (e.status === 409 && e.body?.current) return this.resolveConflict(e.body.current, edit);
      this.setState("error", `Not saved: ${e.message}`);
      return false;
    }
  }

  /** Someone saved the sample since we loaded it: show both and let the user pick. */
  async resolveConflict(current, mine) {
    const compare = el("div", { className: "conflict" },
      el("p", { textContent: "This sample was changed by someone else after you opened it." }),
      el("div", { className: "conflict-grid" },
        el("h3", { textContent: "Theirs (saved)" }), el("h3", { textContent: "Yours (unsaved)" }),
        el("pre", { textContent: `${current.prompt}\n\n${current.instrumental ? "(instrumental)" : current.lyrics}` }),
        el("pre", { textContent: `${mine.prompt}\n\n${mine.instrumental ? "(instrumental)" : mine.lyrics}` })));
    const choice = await showDialog({
      title: "Save conflict",
      body: compare,
      actions: [
        { label: "Keep editing", value: "cancel" },
        { label: "Reload theirs", value: "reload" },
        { label: "Overwrite with mine", value: "overwrite", kind: "primary" },
      ],
    });
    if (choice === "reload") {
      this.show(current, $("position").textContent);
      this.onSaved(current);
      return true;
    }
    if (choice === "overwrite") return this.saveNow(current.version);
    this.setState("dirty", "Unsaved (conflict)");
    return false;
  }

  /** The server's record after a save: keep what was typed meanwhile. */
  stored(sample) {
    this.sample = sample;
    $("issues").replaceChildren(...sample.issues.map(issueItem));
    this.onSaved(sample);
  }

  async delete() {
    const stem = this.sample.stem;
    const choice = await showDialog({
      title: `Delete “${stem}”?`,
      body: "Its audio, prompt and lyrics are removed from this dataset. Snapshots already taken keep it.",
      actions: [{ label: "Cancel", value: "cancel", kind: "primary" }, { label: "Delete", value: "delete", kind: "danger" }],
    });
    if (choice !== "delete") return;
    try {
      await api(sampleUrl(this.datasetId, stem), { method: "DELETE", headers: { "If-Match": this.sample.version } });
      this.sample = null;
      this.onDeleted(stem);
    } catch (e) {
      flash(`Delete failed: ${e.message}`, "error");
    }
  }
}
