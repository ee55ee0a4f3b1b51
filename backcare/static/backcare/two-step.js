// Once the browser has saved a new passkey, carry on (recovery codes, or back where we were).
document.addEventListener("otp_webauthn.register_complete", () => {
  const form = document.getElementById("passkey-added-form");
  if (form) form.submit();
});
