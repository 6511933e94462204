// Passkeys (WebAuthn) on the profile and sign-in pages. Each <form data-passkey="register|authenticate"> has a
// hidden button: when the browser supports passkeys it is shown; a click asks the server for options (JSON),
// lets the browser talk to the authenticator (SimpleWebAuthnBrowser, served from @simplewebauthn/browser), puts
// the answer in the form's hidden `credential` field and submits the form, so the server answers with a page.
'use strict';

(function passkeys() {
  const lib = window.SimpleWebAuthnBrowser;
  const forms = document.querySelectorAll('form[data-passkey]');
  if (!forms.length) return;
  const supported = Boolean(lib && lib.browserSupportsWebAuthn());

  function say(form, message) {
    const status = form.querySelector('[data-passkey-status]');
    if (status) status.textContent = message;
  }

  async function optionsFor(form) {
    const res = await fetch(form.dataset.options, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-csrf-token': form.querySelector('input[name="_csrf"]').value,
      },
      body: '{}',
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error((body && body.error && body.error.message) || 'The server did not answer. Try again.');
    return body;
  }

  function refusal(err) {
    if (err && err.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out. Try again.';
    if (err && err.name === 'InvalidStateError') return 'This device already holds a passkey for your account.';
    return (err && err.message) || 'The passkey did not work. Try again.';
  }

  async function run(form, button) {
    if (form.dataset.passkey === 'register' && !form.reportValidity()) return;
    button.disabled = true;
    say(form, 'Waiting for your passkey…');
    try {
      const optionsJSON = await optionsFor(form);
      const answer =
        form.dataset.passkey === 'register'
          ? await lib.startRegistration({ optionsJSON })
          : await lib.startAuthentication({ optionsJSON });
      form.querySelector('input[name="credential"]').value = JSON.stringify(answer);
      say(form, 'Checking…');
      form.submit();
    } catch (err) {
      say(form, refusal(err));
      button.disabled = false;
    }
  }

  for (const form of forms) {
    const button = form.querySelector('[data-passkey-start]');
    if (!button) continue;
    if (!supported) {
      say(form, 'This browser does not support passkeys.');
      continue;
    }
    say(form, '');
    button.hidden = false;
    button.addEventListener('click', () => run(form, button));
    // Enter in the name field adds the passkey rather than posting an empty form.
    form.addEventListener('submit', (event) => {
      if (!form.querySelector('input[name="credential"]').value) {
        event.preventDefault();
        run(form, button);
      }
    });
  }
})();
