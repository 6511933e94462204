// First run: loading demo data takes several seconds. Show that it is working and keep the button from
// being pressed again while the server does it.
'use strict';

(function setupBusyState() {
  const form = document.querySelector('form[data-busy-form]');
  if (!form) return;
  const status = document.getElementById('setup-progress');
  form.addEventListener('submit', () => {
    const button = form.querySelector('button[type="submit"]');
    const demo = form.querySelector('input[name="demo"]');
    // Disabled after the browser has collected the form, so the submission itself still goes through.
    window.setTimeout(() => {
      if (button) {
        button.disabled = true;
        button.setAttribute('aria-busy', 'true');
        button.textContent = demo && demo.checked ? 'Setting up and loading demo data…' : 'Setting up…';
      }
      if (status) {
        status.hidden = false;
        const started = Date.now();
        const text = status.querySelector('[data-elapsed]');
        window.setInterval(() => {
          if (text) text.textContent = String(Math.round((Date.now() - started) / 1000));
        }, 1000);
      }
    }, 0);
  });
})();
