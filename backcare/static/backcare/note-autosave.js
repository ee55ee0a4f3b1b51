// Autosave of a session note draft: posts the form every few seconds while it changes and
// whenever a field loses focus (and at once if it was changed before this script arrived), and
// shows "Saved at 10:42". Without JavaScript the "Save draft" button does the same.
(function () {
  "use strict";
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const status = document.getElementById("autosave-status");
  const INTERVAL_MS = 5000;
  let dirty = changedBeforeThisScript();
  let saving = false;
  let submitting = false;
  let pending = null;
  let inflight = null; // the autosave being sent, if any

  // What was typed or chosen while the page was still loading, before this script listened
  // (on a slow connection, say), is a change to save like any other.
  function changedBeforeThisScript() {
    for (const field of form.elements) {
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.type === "select-one") {
        // With no option marked selected, a list starts at its first.
        let initial = 0;
        for (const option of field.options) if (option.defaultSelected) initial = option.index;
        if (field.selectedIndex !== initial) return true;
      } else if (field.type === "select-multiple") {
        for (const option of field.options) {
          if (option.selected !== option.defaultSelected) return true;
        }
      } else if ("defaultValue" in field && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function show(text) {
    if (status) status.textContent = text;
  }

  async function save() {
    pending = null;
    if (!dirty || saving || submitting) return;
    saving = true;
    dirty = false;
    inflight = send();
    try {
      await inflight;
    } finally {
      saving = false;
      inflight = null;
    }
  }

  async function send() {
    const data = new FormData(form);
    data.set("autosave", "1");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      const body = await response.json();
      if (response.ok) {
        show("Saved at " + body.saved_at);
        // Our own save is not "someone else's change": the next save compares with it.
        const version = form.querySelector("input[name=seen_version]");
        const saved = response.headers.get("X-Seen-Version");
        if (version && saved) version.value = saved;
      } else if (body.changed) {
        show("Not saved: " + body.errors.__all__[0]);
      } else {
        const fields = Object.keys(body.errors || {});
        show("Not saved: please check " + (fields.length ? fields.join(", ").replace(/_/g, " ") : "the form") + ".");
      }
    } catch (error) {
      dirty = true;
      show("Not saved yet: no connection. Trying again…");
    }
  }

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  // Leaving a field saves a moment later, unless that was a click on "Save draft" or "Sign
  // the note": the form's own post then carries everything, and two posts never cross.
  form.addEventListener("focusout", function () {
    if (pending === null) pending = window.setTimeout(save, 250);
  });
  form.addEventListener("submit", function (event) {
    if (pending !== null) window.clearTimeout(pending);
    pending = null;
    if (inflight !== null) {
      // An autosave is on its way: send the form once it is back, with the version it saved,
      // or our own autosave would look like someone else's change.
      event.preventDefault();
      const submitter = event.submitter;
      inflight.finally(function () { form.requestSubmit(submitter); });
      return;
    }
    submitting = true;
  });
  window.setInterval(save, INTERVAL_MS);
  if (dirty) pending = window.setTimeout(save, 250);
})();
