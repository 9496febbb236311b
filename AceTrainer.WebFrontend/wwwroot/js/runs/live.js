// A run's live event feed: SignalR (/hubs/runs) with history replay, and REST polling while the socket is down.
// Invariant: every event up to lastId has been applied, once and in stream-id order. Each fetch applies a contiguous
// range that starts at or before lastId, and live events are held back while a fetch ("sync") that started after we
// joined the run's group is in flight, so a live event never jumps over events the fetch is still bringing.
import { api } from "../http.js";
import { compareIds, runUrl } from "./api.js";

const POLL_MS = 2000;
const RESTART_MS = 5000;
const PAGE_SIZE = 1000;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class RunFeed {
  /**
   * onHistory(history): everything so far (first load, and again when the stream no longer has what we missed: 410).
   * onEvent(event, id, { live }): one event newer than all applied; live is false for the history's own events.
   * onLink("live" | "polling" | "down"): the connection, for the page's note.
   * onError(error): a load failed and is being retried.
   */
  constructor(runId, { onHistory, onEvent, onLink, onError }) {
    this.runId = runId;
    this.handlers = { onHistory, onEvent, onLink, onError };
    this.lastId = "0-0";
    // Live events held while a sync runs; null when none runs and live events apply at once.
    this.buffer = [];
    // Syncs run one after another (a reconnect can start one while the first history load still retries).
    this.syncQueue = Promise.resolve();
    this.pendingSyncs = 0;
    this.loaded = false;
    this.pollTimer = null;
    this.polling = false;
    this.connection = new signalR.HubConnectionBuilder()
      .withUrl("/hubs/runs")
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(1000 * 2 ** ctx.previousRetryCount, 10000) })
      .build();
    this.connection.on("runEvent", (runId, id, json) => runId === this.runId && this.#receive(id, JSON.parse(json)));
    this.connection.onreconnecting(() => this.#setLink("polling"));
    this.connection.onreconnected(() => this.#watch().catch(() => this.#setLink("polling")));
    this.connection.onclose(() => {
      this.#setLink("down");
      setTimeout(() => this.#connect(), RESTART_MS);
    });
  }

  /** Joins the run's group (or falls back to polling), then loads the history and applies what arrived meanwhile. */
  async start() {
    await this.#connect();
    await this.#sync(() => this.#loadHistory());
    this.loaded = true;
  }

  async #connect() {
    if (this.connection.state !== "Disconnected") return;
    try {
      await this.connection.start();
      await this.#watch();
    } catch {
      this.#setLink("down");
      setTimeout(() => this.#connect(), RESTART_MS);
    }
  }

  async #watch() {
    // Hold live events from before we join, so the catch-up below is applied first.
    this.buffer ??= [];
    try {
      await this.connection.invoke("Watch", this.runId);
    } finally {
      // On the first connect start() loads the history next, and that load applies the held events.
      if (this.loaded || this.pendingSyncs > 0) this.#sync(() => this.#fetchAfter());
    }
    this.#setLink("live");
  }

  #receive(id, event) {
    if (this.buffer) this.buffer.push({ id, event });
    else this.#apply(id, event, true);
  }

  #apply(id, event, live) {
    if (compareIds(id, this.lastId) <= 0) return;
    this.lastId = id;
    this.handlers.onEvent(event, id, { live });
  }

  /** Runs fetch() (retrying until it works) with live events held back, then applies the held ones it did not bring. */
  #sync(fetch) {
    this.buffer ??= [];
    this.pendingSyncs++;
    const run = this.syncQueue.then(async () => {
      for (;;) {
        try {
          return await fetch();
        } catch (e) {
          if (e.status === 404) throw e;
          this.handlers.onError?.(e);
          await delay(POLL_MS);
        }
      }
    });
    this.syncQueue = run.catch(() => {});
    return run.finally(() => {
      if (--this.pendingSyncs > 0) return;
      const held = this.buffer.sort((a, b) => compareIds(a.id, b.id));
      this.buffer = null;
      for (const { id, event } of held) this.#apply(id, event, true);
    });
  }

  async #loadHistory() {
    const { data } = await api(runUrl(this.runId, "history"));
    this.lastId = "0-0";
    this.handlers.onHistory(data);
    for (const entry of data.events ?? []) this.#apply(entry.id, entry.event, false);
    if (compareIds(data.lastId, this.lastId) > 0) this.lastId = data.lastId;
  }

  /** Events after the last applied one, page by page; 410 (the capped stream dropped some) reloads the history. */
  async #fetchAfter() {
    for (;;) {
      let page;
      try {
        ({ data: page } = await api(`${runUrl(this.runId, "events")}?after=${encodeURIComponent(this.lastId)}`));
      } catch (e) {
        if (e.status === 410) return this.#loadHistory();
        throw e;
      }
      for (const entry of page.events) this.#apply(entry.id, entry.event, true);
      if (page.events.length < PAGE_SIZE) return;
    }
  }

  async #poll() {
    // A sync in flight fetches the same events; a poll before the first history load has nothing to continue from.
    if (this.polling || this.buffer !== null || !this.loaded) return;
    this.polling = true;
    try {
      await this.#fetchAfter();
    } catch {
      // The portal or the service is unreachable too: the next tick tries again.
    } finally {
      this.polling = false;
    }
  }

  #setLink(state) {
    this.handlers.onLink(state);
    if (state === "live") {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    } else if (!this.pollTimer) {
      this.pollTimer = setInterval(() => this.#poll(), POLL_MS);
    }
  }
}
