// One answer can belong to several procedures (異動年月日 for 転居届 and 世帯変更届, 新住所
// and 異動者 for 転居届 and 転出届: one move). Each procedure shows its own field; typing
// in one (or ticking a person in one) does the same in the others, so the clerk sees what
// every chosen procedure will use. Without this script the server still takes the one
// value typed and refuses two different ones.
(function () {
  const form = document.getElementById("interview");
  if (!form) return;
  form.addEventListener("input", (e) => {
    const key = e.target.dataset && e.target.dataset.answer;
    if (!key) return;
    const box = e.target.type === "checkbox";
    form.querySelectorAll("input[data-answer]").forEach((other) => {
      if (other === e.target || other.dataset.answer !== key) return;
      if (box && other.type === "checkbox" && other.value === e.target.value) {
        other.checked = e.target.checked;
      } else if (!box && other.type !== "checkbox") {
        other.value = e.target.value;
      }
    });
  });
})();
