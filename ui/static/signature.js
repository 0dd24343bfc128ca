// Signature pad: pointer events (pen, finger, mouse); strokes are kept as points scaled
// to 0..1 of the pad, so the PDF can redraw them at any size.
function madoSignaturePad(root) {
  const pad = root.querySelector("#pad");
  const out = root.querySelector("#strokes");
  if (!pad || !out || pad.dataset.ready) return;
  pad.dataset.ready = "1";
  const ctx = pad.getContext("2d");
  let strokes = [];
  let current = null;
  const point = (e) => {
    const r = pad.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    const y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
    return [Math.round(x * 10000) / 10000, Math.round(y * 10000) / 10000];
  };
  const draw = () => {
    ctx.clearRect(0, 0, pad.width, pad.height);
    ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    for (const s of strokes) {
      ctx.beginPath();
      s.forEach(([x, y], i) => (i ? ctx.lineTo(x * pad.width, y * pad.height) : ctx.moveTo(x * pad.width, y * pad.height)));
      ctx.stroke();
    }
    out.value = JSON.stringify(strokes);
  };
  pad.addEventListener("pointerdown", (e) => { pad.setPointerCapture(e.pointerId); current = [point(e)]; strokes.push(current); draw(); });
  pad.addEventListener("pointermove", (e) => { if (current) { current.push(point(e)); draw(); } });
  const end = () => { current = null; };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  const clear = root.querySelector("#clear");
  if (clear) clear.addEventListener("click", () => { strokes = []; draw(); });
}

// The tablet forgets the resident when nobody signs in time: back to the idle screen.
function madoTabletTimeout(screen) {
  if (!screen) return;
  const seconds = Number(screen.dataset.timeout || 300);
  setTimeout(() => { window.location.replace("/tablet"); }, seconds * 1000);
}

// Also when the review screen is drawn into the page (htmx) after the document loaded.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => madoSignaturePad(document));
} else {
  madoSignaturePad(document);
}
