/* Backcare booking widget: shows a clinic's services and free times on the clinic's own
   website, each time a link to book it in Backcare. No cookies, no client data.

   <div id="backcare-booking"></div>
   <script src="https://YOUR-BACKCARE/widget/booking.js" data-location="1" defer></script>

   data-location: a location's id (optional: the first location otherwise);
   data-target: the id of the element to fill (default "backcare-booking");
   data-days: how many days to show at a time (default 7). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = new URL(script.src).origin + "/api/v1/public";
  var days = Math.min(14, Math.max(1, parseInt(script.getAttribute("data-days") || "7", 10) || 7));
  var target = document.getElementById(script.getAttribute("data-target") || "backcare-booking");
  if (!target) {
    target = document.createElement("div");
    script.parentNode.insertBefore(target, script.nextSibling);
  }
  target.classList.add("backcare-booking");

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }
  var UNREACHABLE = "The free times could not be loaded. Please try again later, or call the clinic.";
  function get(path) {
    return fetch(base + path, { credentials: "omit" }).catch(function () {
      throw new Error(UNREACHABLE);
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.detail || "Something went wrong."); }
        return body;
      });
    });
  }
  function isoDay(date) {
    return date.getFullYear() + "-" + String(date.getMonth() + 1).padStart(2, "0") + "-" +
      String(date.getDate()).padStart(2, "0");
  }
  function timeLabel(iso) {
    // The location's wall-clock time, as the API gives it (12-hour).
    var hour = parseInt(iso.slice(11, 13), 10), minute = iso.slice(14, 16);
    return ((hour + 11) % 12 + 1) + ":" + minute + (hour < 12 ? " AM" : " PM");
  }
  function dayLabel(day) {
    var date = new Date(day + "T12:00:00");
    return date.toLocaleDateString("en-US", { weekday: "long", month: "long", day: "numeric" });
  }

  var status = el("p", "Loading free times…", { role: "status" });
  target.appendChild(status);

  Promise.all([get("/services"), get("/locations")]).then(function (loaded) {
    var services = loaded[0], locations = loaded[1];
    var wanted = script.getAttribute("data-location");
    var location = locations.filter(function (l) { return String(l.id) === wanted; })[0] || locations[0];
    if (!location || !services.length) { status.textContent = "Online booking is not open."; return; }
    var form = el("form", "", { "class": "backcare-booking-form" });
    var label = el("label", "Service ", { "for": "backcare-service" });
    var select = el("select", "", { id: "backcare-service" });
    services.forEach(function (s) { select.appendChild(el("option", s.name, { value: String(s.id) })); });
    label.appendChild(select);
    form.appendChild(label);
    var start = new Date();
    var nav = el("p");
    var earlier = el("button", "Earlier", { type: "button" });
    var later = el("button", "Later", { type: "button" });
    nav.appendChild(earlier); nav.appendChild(later);
    var list = el("div", "", { "aria-live": "polite" });
    target.insertBefore(el("h3", "Book at " + location.name), status);
    target.insertBefore(form, status);
    target.appendChild(list);
    target.appendChild(nav);

    function show() {
      status.textContent = "Loading free times…";
      list.textContent = "";
      get("/locations/" + location.id + "/availability?service_id=" + select.value +
          "&start=" + isoDay(start) + "&days=" + days).then(function (found) {
        status.textContent = found.free_times.length ? "" : "No free times these days: try later dates.";
        var byDay = {};
        found.free_times.forEach(function (t) { (byDay[t.starts.slice(0, 10)] = byDay[t.starts.slice(0, 10)] || []).push(t); });
        Object.keys(byDay).sort().forEach(function (day) {
          list.appendChild(el("h4", dayLabel(day)));
          var row = el("ul", "", { "class": "backcare-times" });
          byDay[day].forEach(function (t) {
            var item = el("li");
            item.appendChild(el("a", timeLabel(t.starts) + " with " + t.therapist_name, { href: t.book_url, target: "_top" }));
            row.appendChild(item);
          });
          list.appendChild(row);
        });
      }).catch(function (error) { status.textContent = error.message; });
    }
    select.addEventListener("change", show);
    earlier.addEventListener("click", function () {
      var today = new Date();
      start.setDate(start.getDate() - days);
      if (start < today) { start = today; }
      show();
    });
    later.addEventListener("click", function () { start.setDate(start.getDate() + days); show(); });
    show();
  }).catch(function (error) { status.textContent = error.message; });
})();
