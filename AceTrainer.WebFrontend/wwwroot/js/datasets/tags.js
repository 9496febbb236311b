// Prompts are comma-separated tags; chips show them and remove one with a click.
import { el } from "../dom.js";

export function splitTags(prompt) {
  return prompt.split(",").map((t) => t.trim()).filter(Boolean);
}

export function joinTags(tags) {
  return tags.join(", ");
}

/** Renders one chip per tag into container; onRemove(index) when a chip's × is clicked. */
export function renderChips(container, prompt, onRemove) {
  container.replaceChildren(...splitTags(prompt).map((tag, i) => {
    const remove = el("button", { type: "button", className: "chip-remove", textContent: "×", title: `Remove “${tag}”`, tabIndex: -1 });
    remove.addEventListener("click", () => onRemove(i));
    return el("span", { className: "chip" }, el("span", { textContent: tag }), remove);
  }));
}
