/* Body chart (backcare/bodychart.py): each area of the figures becomes a checkbox that stays in
   step with the list of areas below it. Without this script the list works on its own. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";

  function enhance(chart) {
    if (chart.hasAttribute("data-enhanced")) return; // the script may be included once per field
    chart.setAttribute("data-enhanced", "");

    var boxes = {};
    chart.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      boxes[box.value] = box;
    });
    var areas = Array.prototype.filter.call(chart.querySelectorAll("path[data-code]"), function (area) {
      return boxes[area.getAttribute("data-code")] !== undefined;
    });
    var chosen = chart.querySelector("[data-body-chart-chosen]");

    function boxOf(area) {
      return boxes[area.getAttribute("data-code")];
    }

    function showChosen() {
      if (!chosen) return;
      var labels = [];
      areas.forEach(function (area) {
        if (boxOf(area).checked) labels.push(area.getAttribute("aria-label"));
      });
      chosen.textContent = labels.length ? "Marked: " + labels.join("; ") + "." : "No areas marked yet.";
      chosen.hidden = false;
    }

    function show(area) {
      var box = boxOf(area);
      area.setAttribute("aria-checked", box.checked ? "true" : "false");
      area.classList.toggle("is-selected", box.checked);
    }

    function toggle(area) {
      var box = boxOf(area);
      if (box.disabled) return;
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }

    chart.querySelectorAll("svg[data-label]").forEach(function (svg) {
      svg.removeAttribute("aria-hidden");
      svg.setAttribute("role", "group");
      svg.setAttribute("aria-label", svg.getAttribute("data-label"));
      // Drawn last, so the focus ring is never hidden under a neighbouring area.
      var ring = document.createElementNS(SVG, "path");
      ring.setAttribute("class", "body-chart-ring");
      ring.setAttribute("aria-hidden", "true");
      svg.appendChild(ring);
    });

    areas.forEach(function (area) {
      var box = boxOf(area);
      area.setAttribute("role", "checkbox");
      area.setAttribute("tabindex", "0");
      if (box.disabled) area.setAttribute("aria-disabled", "true");
      show(area);
      area.addEventListener("click", function () {
        toggle(area);
      });
      area.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Enter") {
          event.preventDefault(); // no page scroll, no form submit
          toggle(area);
        }
      });
      area.addEventListener("focus", function () {
        var ring = area.ownerSVGElement.querySelector(".body-chart-ring");
        ring.setAttribute("d", area.getAttribute("d"));
        ring.classList.toggle("is-shown", area.matches(":focus-visible"));
      });
      area.addEventListener("blur", function () {
        area.ownerSVGElement.querySelector(".body-chart-ring").classList.remove("is-shown");
      });
      box.addEventListener("change", function () {
        show(area);
        showChosen();
      });
    });

    showChosen();
    // The figures are now the main control; the list stays one click (or key) away.
    var list = chart.querySelector(".body-chart-list");
    if (list) list.open = false;
  }

  function start() {
    document.querySelectorAll("[data-body-chart]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
