// Never lose work: what the clerk types into a step's form is kept in this tab's
// sessionStorage (per visit and step) and put back after a reload. Cleared when the
// step moves on. Hidden fields (CSRF token, form key) are never stored.
(function () {
  const root = document.querySelector("[data-draft]");
  if (!root) return;
  const key = "mado-draft:" + root.dataset.draft;
  for (const k of Object.keys(sessionStorage)) {
    if (k.startsWith("mado-draft:") && k.split(":")[1] === key.split(":")[1] && k !== key) {
      sessionStorage.removeItem(k);  // an earlier step of this visit: it was submitted
    }
  }
  const fields = () => root.querySelectorAll("input:not([type=hidden]):not([type=file]), select, textarea");
  const saved = JSON.parse(sessionStorage.getItem(key) || "{}");
  fields().forEach((el) => {
    const id = el.name + "|" + (el.type === "radio" || el.type === "checkbox" ? el.value : "");
    if (!(id in saved)) return;
    if (el.type === "radio" || el.type === "checkbox") el.checked = saved[id];
    else if (!el.value) el.value = saved[id];
  });
  root.addEventListener("input", () => {
    const out = {};
    fields().forEach((el) => {
      const id = el.name + "|" + (el.type === "radio" || el.type === "checkbox" ? el.value : "");
      out[id] = el.type === "radio" || el.type === "checkbox" ? el.checked : el.value;
    });
    sessionStorage.setItem(key, JSON.stringify(out));
  });
})();
