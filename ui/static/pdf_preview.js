// The review screen's PDF preview is fetched and drawn the first time it is opened.
(() => {
  const box = document.getElementById("pdf-preview");
  if (!box) return;
  box.addEventListener("toggle", () => {
    if (!box.open || box.querySelector("object")) return;
    const pdf = document.createElement("object");
    pdf.data = box.dataset.pdf;
    pdf.type = "application/pdf";
    pdf.width = "100%";
    pdf.height = "520";
    pdf.setAttribute("aria-label", "帳票のPDF（確認用）");
    box.appendChild(pdf);
  });
})();
