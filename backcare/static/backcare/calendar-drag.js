// Dragging on the staff calendar, with SortableJS (vendor/sortablejs). Drag an appointment onto
// a free time to move it, or a waiting client onto a free time to open the booking form there.
// Both go through the same pages as the keyboard does ("Move", "Book"): the move is the move
// form sent for you, so a refusal (a clinical hold, a taken time) is said in the status line and
// the grid reloads with the appointment where it was.
(function () {
  "use strict";

  const settings = document.getElementById("calendar-drag");
  const status = document.getElementById("calendar-status");
  if (!settings || !window.Sortable || !window.htmx) return;
  const csrf = settings.dataset.csrf;

  function slotOf(cell) {
    const link = cell.querySelector("a.slot");
    return link ? new URL(link.href, window.location.href) : null;
  }

  function say(message, refused) {
    window.htmx.trigger(document.body, "calendar-changed", { message: message });
    if (status) status.classList.toggle("refused", Boolean(refused));
  }

  function refusalIn(html) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const errors = page.querySelectorAll(".errorlist li, .form-errors p");
    const words = Array.from(errors, function (error) { return error.textContent.trim(); });
    return words.filter(Boolean).join(" ") || "That time could not be used.";
  }

  function move(entry, cell) {
    const slot = slotOf(cell);
    if (!slot) return say("That is not a free time.", true);
    const form = new FormData();
    form.append("date", slot.searchParams.get("date"));
    form.append("time", slot.searchParams.get("time"));
    form.append("therapist", slot.searchParams.get("therapist"));
    if (status) status.textContent = "Moving " + entry.dataset.who + "…";
    fetch(entry.dataset.moveUrl, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
    }).then(function (response) {
      if (response.status === 204) {
        const trigger = JSON.parse(response.headers.get("HX-Trigger") || "{}");
        const done = trigger["calendar-changed"] || {};
        return say(done.message || "Moved.", false);
      }
      return response.text().then(function (html) {
        say("Not moved: " + refusalIn(html), true);
      });
    }).catch(function () {
      say("Not moved: the clinic's server did not answer. Please try again.", true);
    });
  }

  function book(waiting, cell) {
    const slot = slotOf(cell);
    const url = new URL(slot.href);
    new URLSearchParams(waiting.dataset.book).forEach(function (value, key) {
      url.searchParams.set(key, value);
    });
    waiting.remove(); // the dragged copy; the list keeps the original
    window.htmx.trigger(document.body, "calendar-changed", {});
    const link = document.createElement("a");
    link.href = url.toString();
    link.dataset.dialog = "";
    link.hidden = true;
    document.body.appendChild(link);
    link.click(); // calendar.js opens the booking form in the dialog
    link.remove();
  }

  // No insertion "near" a cell: a free time takes the drop only when the pointer is over it.
  const options = {
    animation: 0, forceFallback: true, fallbackOnBody: true, sort: false, emptyInsertThreshold: 0,
  };

  function setUp(root) {
    root.querySelectorAll("td.block").forEach(function (cell) {
      if (cell.sortable || !cell.querySelector(".entry.movable")) return;
      cell.sortable = window.Sortable.create(cell, Object.assign({}, options, {
        // A copy stays behind while dragging, so the grid keeps its shape under the pointer.
        group: { name: "calendar", pull: "clone", put: false },
        draggable: ".entry.movable",
      }));
    });
    root.querySelectorAll("ul.waiting-list").forEach(function (list) {
      if (list.sortable) return;
      list.sortable = window.Sortable.create(list, Object.assign({}, options, {
        group: { name: "calendar", pull: "clone", put: false },
        draggable: ".waiting-entry",
        filter: "a",
        preventOnFilter: false,
      }));
    });
    root.querySelectorAll("td[data-drop]").forEach(function (cell) {
      if (cell.sortable) return;
      cell.sortable = window.Sortable.create(cell, Object.assign({}, options, {
        group: { name: "calendar", pull: false, put: true },
        onAdd: function (event) {
          if (event.item.classList.contains("waiting-entry")) return book(event.item, cell);
          move(event.item, cell);
        },
      }));
    });
  }

  setUp(document);
  document.body.addEventListener("htmx:afterSwap", function () { setUp(document); });
  document.body.addEventListener("htmx:load", function (event) { setUp(event.detail.elt.parentNode || document); });
})();
