// Progressive enhancement only: every page works without this file.
'use strict';

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// The main menu is open in the HTML (it works without JavaScript); on narrow screens it folds behind "Menu".
(function foldMenuOnNarrowScreens() {
  const menu = document.querySelector('details.nav-menu');
  if (!menu) return;
  const narrow = window.matchMedia('(max-width: 1023px)');
  const apply = () => {
    menu.open = !narrow.matches;
  };
  apply();
  narrow.addEventListener('change', apply);
})();

// A table that scrolls sideways in its own box can be scrolled from the keyboard too.
(function focusableScrollingTables() {
  for (const table of document.querySelectorAll('main table')) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.tabIndex = 0;
      if (!table.hasAttribute('aria-label') && !table.querySelector('caption')) {
        const heading = table.closest('section, article, main')?.querySelector('h2, h1');
        table.setAttribute('aria-label', heading ? heading.textContent.trim() : 'Table');
      }
    }
  }
})();

// On phones a wide table scrolls inside its own box (app.css): a box that scrolls must take keyboard focus, so
// that people who don't use a pointer can scroll it too (WCAG 2.1.1). Checked at load and when the width changes.
(function focusableScrollingTables() {
  const mark = () => {
    document.querySelectorAll('main table').forEach((table) => {
      const scrolls = table.scrollWidth > table.clientWidth + 1 && getComputedStyle(table).overflowX !== 'visible';
      if (scrolls && !table.hasAttribute('tabindex')) {
        table.setAttribute('tabindex', '0');
        table.dataset.focusableScroll = '';
      } else if (!scrolls && table.dataset.focusableScroll !== undefined) {
        table.removeAttribute('tabindex');
        delete table.dataset.focusableScroll;
      }
    });
  };
  mark();
  window.addEventListener('resize', mark);
})();
