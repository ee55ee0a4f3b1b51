// A "Copy" button: <button data-copy="input-id"> copies that input's value and says so in
// the element marked data-copy-status="input-id".
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const id = button.dataset.copy;
  const input = document.getElementById(id);
  const status = document.querySelector(`[data-copy-status="${id}"]`);
  try {
    await navigator.clipboard.writeText(input.value);
    if (status) status.textContent = "Copied.";
  } catch {
    input.select();
    if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy.";
  }
});
