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
