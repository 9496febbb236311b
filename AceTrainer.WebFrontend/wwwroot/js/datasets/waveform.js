// Waveform and player for one sample. Playback streams from the audio URL with range requests (an <audio> element);
// the waveform is drawn from peaks decoded from a separate download, so the sample is playable before it is drawn.
import WaveSurfer from "/lib/wavesurfer/wavesurfer.esm.js";
import { formatDuration, progressBar } from "../dom.js";

// Larger files are not downloaded just to draw them; they still play.
const MAX_DECODE_BYTES = 80 * 1024 * 1024;
const PEAKS_PER_CHANNEL = 2000;

export class Waveform {
  constructor({ container, playButton, timeEl, statusEl }) {
    this.container = container;
    this.statusEl = statusEl;
    this.timeEl = timeEl;
    this.playButton = playButton;
    this.media = Object.assign(document.createElement("audio"), { preload: "metadata" });
    this.surfer = WaveSurfer.create({
      container,
      media: this.media,
      height: 72,
      waveColor: "#4a5675",
      progressColor: "#7c9cff",
      cursorColor: "#e6e8ee",
      barWidth: 2,
      barGap: 1,
      normalize: true,
    });
    this.surfer.on("timeupdate", (t) => this.showTime(t));
    this.surfer.on("play", () => (playButton.textContent = "❚❚"));
    this.surfer.on("pause", () => (playButton.textContent = "▶"));
    playButton.addEventListener("click", () => this.playPause());
    this.loading = null;
  }

  /** Shows a sample: playable at once, drawn when its peaks are decoded. */
  async show(url, durationSeconds, bytes) {
    this.loading?.abort();
    const loading = (this.loading = new AbortController());
    this.duration = durationSeconds;
    this.showTime(0);
    this.container.dataset.state = "flat";
    await this.surfer.load(url, [new Float32Array(2)], durationSeconds);
    if (bytes > MAX_DECODE_BYTES) {
      this.statusEl.replaceChildren(`Waveform not drawn for files over ${MAX_DECODE_BYTES / 1024 / 1024} MB; playback streams as usual.`);
      return;
    }
    const bar = progressBar("waveform: downloading…");
    this.statusEl.replaceChildren(bar.root);
    try {
      const peaks = await decodePeaks(url, bytes, loading.signal, (f) => bar.set(f, `waveform: ${Math.round(f * 100)}%`), () => bar.set(null, "waveform: decoding…"));
      if (loading.signal.aborted) return;
      // Same URL: the player keeps its source (and any playback in progress); only the drawing changes.
      await this.surfer.load(url, peaks, durationSeconds);
      if (loading.signal.aborted) return;
      this.container.dataset.state = "drawn";
      this.statusEl.replaceChildren();
    } catch (e) {
      if (!loading.signal.aborted) this.statusEl.replaceChildren(`Waveform unavailable (${e.message}); playback still works.`);
    }
  }

  playPause() {
    return this.surfer.playPause();
  }

  stop() {
    this.loading?.abort();
    this.surfer.pause();
  }

  showTime(seconds) {
    this.timeEl.textContent = `${formatDuration(seconds)} / ${formatDuration(this.duration ?? 0)}`;
  }
}

async function decodePeaks(url, bytes, signal, onProgress, onDownloaded) {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(Math.min(1, received / Math.max(1, bytes)));
  }
  onDownloaded();
  const data = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
  const context = new OfflineAudioContext(1, 1, 44100);
  const audio = await context.decodeAudioData(data.buffer);
  const peaks = [];
  for (let c = 0; c < Math.min(2, audio.numberOfChannels); c++) peaks.push(maxAbsPerBucket(audio.getChannelData(c), PEAKS_PER_CHANNEL));
  return peaks;
}

function maxAbsPerBucket(samples, buckets) {
  const out = new Float32Array(Math.min(buckets, samples.length));
  const size = samples.length / out.length;
  for (let b = 0; b < out.length; b++) {
    let peak = 0;
    for (let i = Math.floor(b * size), end = Math.floor((b + 1) * size); i < end; i++) {
      const v = Math.abs(samples[i]);
      if (v > peak) peak = v;
    }
    out[b] = peak;
  }
  return out;
}
