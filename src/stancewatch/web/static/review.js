// Keyboard review: a key press clicks the element that declares it with data-key
// (s/o/n stance, a accept the machine's coding, u unknown speaker, 1-6 verdicts, j/k move).
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, select, textarea")) return;
  const control = document.querySelector(`[data-key="${CSS.escape(event.key)}"]`);
  if (control) {
    event.preventDefault();
    control.click();
  }
});
