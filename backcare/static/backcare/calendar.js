// The staff calendar. Without this script every link and form works as a page of its own; with
// it (and htmx), forms open in a dialog over the calendar, a refused form comes back into the
// dialog with its errors, and after a change the grid reloads itself in place.
(function () {
  "use strict";

  const dialog = document.getElementById("calendar-dialog");
  const body = document.getElementById("dialog-body");
  const status = document.getElementById("calendar-status");
  if (!dialog || !body || !window.htmx) return;

  function focusFirstField() {
    const field = body.querySelector(
      ".has-error input, .has-error select, input:not([type=hidden]):not([type=search]), select, textarea"
    );
    if (field) field.focus();
  }

  // Links marked data-dialog (a free time, "Move", "New appointment") open in the dialog.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-dialog]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    window.htmx.ajax("GET", link.href, { target: body, swap: "innerHTML" }).then(function () {
      if (!dialog.open) dialog.showModal();
      focusFirstField();
    });
  });

  // A refused form answers 400: show it again, with its errors, instead of dropping it.
  // A reloaded grid keeps the scroll position of the one it replaces.
  let scrolled = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    if (event.detail.target.id === "calendar") {
      scrolled = [event.detail.target.scrollTop, event.detail.target.scrollLeft];
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (dialog.open && body.contains(event.detail.target)) focusFirstField();
    const grid = document.getElementById("calendar");
    if (scrolled && grid) {
      grid.scrollTop = scrolled[0];
      grid.scrollLeft = scrolled[1];
      scrolled = null;
    }
  });

  // Saved: close the dialog and say what happened; the grid reloads on the same event.
  document.body.addEventListener("calendar-changed", function (event) {
    if (dialog.open) dialog.close();
    body.replaceChildren();
    if (status && event.detail && event.detail.message) status.textContent = event.detail.message;
  });

  // Start with the working day in view rather than midnight.
  function scrollToWork() {
    const wrap = document.getElementById("calendar");
    if (!wrap) return;
    const first = wrap.querySelector("td.open, td.block, td.break");
    if (!first) return;
    const row = first.closest("tr");
    const head = wrap.querySelector("thead");
    wrap.scrollTop = Math.max(0, row.offsetTop - (head ? head.offsetHeight : 0) - 8);
  }
  scrollToWork();
})();
