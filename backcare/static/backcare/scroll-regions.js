// A table or calendar wider than the screen scrolls inside its box; a box that scrolls must be
// reachable from the keyboard, so that arrow keys can scroll it too (axe: scrollable regions).
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table, .calendar-wrap, .scrolls").forEach(function (box) {
      const scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
      if (scrolls && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    });
  }
  mark();
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
