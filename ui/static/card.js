// The card reader (券面事項入力補助) types one JSON line into #card-data and Enter:
// {"source": "mynumber_card", "name": "…", "kana": "…", "birth_date": "YYYY-MM-DD",
//  "address": "…", "sex": "1"}. Its values fill the form and are marked カード読取; a value
// the clerk then changes goes back to 手入力. What came from the card is sent along.
(function () {
  const input = document.getElementById("card-data");
  const read = document.getElementById("read-by-device");
  if (!input || !read) return;
  const form = input.form;
  const fromCard = new Set();
  const mark = (name) => {
    const badge = form.querySelector(`.origin[data-for="${name}"]`);
    if (badge) {
      badge.textContent = fromCard.has(name) ? "カード読取" : "手入力";
      badge.classList.toggle("from-card", fromCard.has(name));
    }
    read.value = [...fromCard].join(",");
  };
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();  // the line is data, not "submit"
    let data;
    try { data = JSON.parse(input.value); } catch { input.setCustomValidity("読み取れません / unreadable"); input.reportValidity(); return; }
    input.setCustomValidity("");
    if (data.source && form.elements.source) form.elements.source.value = data.source;
    for (const name of ["name", "kana", "birth_date", "address", "sex"]) {
      if (data[name] && form.elements[name]) { form.elements[name].value = data[name]; fromCard.add(name); mark(name); }
    }
    input.value = "";
    const submit = form.querySelector("button.primary");
    if (submit) submit.focus();
  });
  form.querySelectorAll("[data-card-item]").forEach((el) => {
    el.addEventListener("input", () => { fromCard.delete(el.name); mark(el.name); });
  });
})();
