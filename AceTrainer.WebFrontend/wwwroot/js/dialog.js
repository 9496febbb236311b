// Modal dialogs on <dialog>: a question with buttons, resolved with the chosen button's value (null on Escape).
import { el } from "./dom.js";

/**
 * showDialog({ title, body, actions: [{ label, value, kind }] }) -> Promise<value | null>.
 * body is text or a node; kind "danger" or "primary" styles the button; the first primary button has focus.
 */
export function showDialog({ title, body, actions }) {
  const buttons = actions.map((a) => el("button", { type: "button", className: a.kind ?? "", textContent: a.label, value: String(a.value) }));
  const dialog = el("dialog", { className: "modal" },
    el("h2", { textContent: title }),
    typeof body === "string" ? el("p", { textContent: body }) : body,
    el("div", { className: "modal-actions" }, ...buttons));
  document.body.append(dialog);
  return new Promise((resolve) => {
    buttons.forEach((button, i) => button.addEventListener("click", () => {
      resolve(actions[i].value);
      dialog.close();
    }));
    dialog.addEventListener("cancel", () => resolve(null));
    dialog.addEventListener("close", () => dialog.remove());
    dialog.showModal();
    (buttons.find((b) => b.classList.contains("primary")) ?? buttons[0])?.focus();
  });
}

/** Asks for one line of text; resolves the trimmed text, or null when cancelled. */
export async function askText({ title, label, value = "", action = "Save" }) {
  const input = el("input", { type: "text", value, required: true });
  const form = el("form", { method: "dialog" }, el("label", { className: "field" }, el("span", { textContent: label }), input));
  const pending = showDialog({ title, body: form, actions: [{ label: "Cancel", value: "cancel" }, { label: action, value: "ok", kind: "primary" }] });
  input.focus();
  input.select();
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    form.closest("dialog").querySelector("button.primary").click();
  });
  const choice = await pending;
  return choice === "ok" && input.value.trim() ? input.value.trim() : null;
}

/** A message at the top of the page that goes away by itself; kind "error" stays until closed. */
export function flash(message, kind = "info") {
  const region = document.getElementById("flash") ?? document.body.appendChild(el("div", { id: "flash", className: "flash-region" }));
  const close = el("button", { type: "button", className: "link", textContent: "×", title: "Dismiss" });
  const item = el("div", { className: `flash ${kind}`, role: kind === "error" ? "alert" : "status" }, el("span", { textContent: message }), close);
  close.addEventListener("click", () => item.remove());
  region.append(item);
  if (kind !== "error") setTimeout(() => item.remove(), 4000);
}
