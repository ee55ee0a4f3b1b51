// Book a session: list only the therapists who give the chosen service at the chosen location.
// Each therapist's <option> says where they work (data-locations) and which services they give
// (data-services); without this script the page still works and checks the choice itself.
(() => {
  const service = document.getElementById("id_service");
  const place = document.getElementById("id_location");
  const therapist = document.getElementById("id_therapist");
  if (!service || !place || !therapist) return;
  const fit = () => {
    for (const option of therapist.options) {
      if (!option.value) continue;
      const fits =
        option.dataset.locations.split(" ").includes(place.value) &&
        option.dataset.services.split(" ").includes(service.value);
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) therapist.value = "";
    }
  };
  service.addEventListener("change", fit);
  place.addEventListener("change", fit);
})();
