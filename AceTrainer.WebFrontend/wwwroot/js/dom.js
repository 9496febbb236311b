// Small DOM and formatting helpers shared by the portal's pages.

/** el("p", { className: "x" }, "text", child) — children that are null/undefined/false are skipped. */
export function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c != null && c !== false));
  return node;
}

/** 75.2 -> "1:15"; 3725 -> "1:02:05". */
export function formatDuration(seconds) {
  const total = Math.round(seconds ?? 0);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A <progress> with a text label; value null shows an indeterminate bar. */
export function progressBar(label = "") {
  const bar = el("progress", { max: 1 });
  const text = el("span", { className: "progress-label", textContent: label });
  const root = el("div", { className: "progress" }, bar, text);
  return {
    root,
    set(value, labelText) {
      if (value == null) bar.removeAttribute("value");
      else bar.value = value;
      if (labelText != null) text.textContent = labelText;
    },
  };
}

/** True while the user is typing, where single keys belong to the field and not to page shortcuts. */
export function isTyping(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || target.matches("input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select"));
}
