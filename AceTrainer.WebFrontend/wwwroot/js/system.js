// System page: live service health from the portal's SignalR hub, with REST polling while the socket is down.
import { el } from "./dom.js";

const servicesEl = document.getElementById("services");
const overallEl = document.getElementById("overall");
const linkEl = document.getElementById("link");
const updatedEl = document.getElementById("updated");
const POLL_MS = 3000;
let pollTimer = null;

function ago(iso) {
  if (!iso) return "never";
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return seconds < 1 ? "just now" : `${seconds.toFixed(0)} s ago`;
}

function renderService(s) {
  // A silent service's checks are what it last reported, not its state now.
  const stale = s.state === "down";
  const checks = el("ul", { className: stale ? "checks stale" : "checks", title: stale ? "last reported before it went silent" : "" },
    ...s.checks.map((c) => el("li", { className: `check ${c.status.toLowerCase()}`, title: c.description ?? "" },
      el("span", { className: "dot" }), `${c.name}: ${c.status}${c.description ? ` — ${c.description}` : ""}`)));
  const card = el("section", { className: "service" },
    el("header", {}, el("span", { className: "dot" }), el("h2", { textContent: s.name }),
      el("span", { className: "state", textContent: s.state })),
    s.reason ? el("p", { className: "reason", textContent: s.reason }) : null,
    s.checks.length && stale ? el("p", { className: "muted small", textContent: "last reported checks:" }) : null,
    s.checks.length ? checks : null,
    el("p", { className: "muted small", textContent: `last heartbeat ${ago(s.lastSeen)}${s.instance ? ` · ${s.instance}` : ""}` }));
  card.dataset.service = s.name;
  card.dataset.state = s.state;
  return card;
}

function render(status) {
  overallEl.dataset.state = status.overall;
  overallEl.textContent = status.overall;
  servicesEl.replaceChildren(...status.services.map(renderService));
  updatedEl.textContent = new Date(status.at).toLocaleTimeString();
}

function setLink(state) {
  linkEl.dataset.state = state;
  linkEl.textContent = { live: "● live", reconnecting: "◌ reconnecting (polling)", down: "○ offline (polling)" }[state];
  if (state === "live") {
    clearInterval(pollTimer);
    pollTimer = null;
  } else if (!pollTimer) {
    pollTimer = setInterval(poll, POLL_MS);
    poll();
  }
}

async function poll() {
  try {
    const response = await fetch("/api/system/status", { cache: "no-store" });
    if (response.ok) render(await response.json());
  } catch {
    overallEl.dataset.state = "down";
    overallEl.textContent = "portal unreachable";
  }
}

const connection = new signalR.HubConnectionBuilder()
  .withUrl("/hubs/system")
  .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(1000 * 2 ** ctx.previousRetryCount, 10000) })
  .build();
connection.on("status", render);
connection.onreconnecting(() => setLink("reconnecting"));
connection.onreconnected(() => setLink("live"));
connection.onclose(() => {
  setLink("down");
  setTimeout(start, 5000);
});

async function start() {
  try {
    await connection.start();
    setLink("live");
  } catch {
    setLink("down");
    setTimeout(start, 5000);
  }
}
start();
