// Keyboard shortcuts: Alt + the key shown in <kbd> presses the button (or focuses the
// field) marked data-key. One handler, so every browser behaves alike.
document.addEventListener("keydown", (e) => {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.key.length !== 1) return;
  const el = document.querySelector(`[data-key="${e.key.toLowerCase()}"]`);
  if (!el || el.disabled) return;
  e.preventDefault();
  if (el.matches("input, select, textarea")) el.focus();
  else el.click();
});
