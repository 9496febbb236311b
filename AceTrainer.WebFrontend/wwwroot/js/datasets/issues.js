// Validation issues as badges: the worst severity decides the colour.
import { el } from "../dom.js";

const ORDER = ["Error", "Warning", "Info"];

/** "error" | "warning" | "info" | "ok" for a list of issues. */
export function worstSeverity(issues) {
  const worst = ORDER.find((s) => issues.some((i) => i.severity === s));
  return worst ? worst.toLowerCase() : "ok";
}

export function severityBadge(issues) {
  const worst = worstSeverity(issues);
  const count = issues.filter((i) => i.severity.toLowerCase() === worst).length;
  const text = worst === "ok" ? "ok" : `${count} ${worst}${count > 1 && worst !== "info" ? "s" : ""}`;
  return el("span", {
    className: `severity ${worst}`,
    textContent: text,
    title: issues.map((i) => `${i.severity}: ${i.message}`).join("\n") || "No issues",
  });
}

export function issueItem(issue) {
  return el("li", { className: `issue ${issue.severity.toLowerCase()}` },
    el("span", { className: `severity ${issue.severity.toLowerCase()}`, textContent: issue.severity.toLowerCase() }),
    el("span", { textContent: issue.message }));
}
