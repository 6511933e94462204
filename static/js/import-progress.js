// Follows an ACD import on its progress page; without JavaScript the page refreshes itself instead.
'use strict';

(() => {
  const panel = document.querySelector('[data-import-progress]');
  if (!panel) return;
  const bar = panel.querySelector('progress');
  const message = panel.querySelector('[data-import-message]');
  const poll = async () => {
    try {
      const res = await fetch(panel.dataset.importProgress, { headers: { accept: 'application/json' } });
      if (!res.ok) return window.location.reload();
      const progress = await res.json();
      if (progress.state === 'done' || progress.state === 'failed') return window.location.reload();
      bar.value = progress.percent;
      bar.textContent = `${progress.percent}%`;
      message.textContent = progress.message;
    } catch {
      // A dropped request: try again on the next tick.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
})();
