// The call player: skip, speed, keyboard shortcuts, the spoken cue highlighted (the waveform is waveform.js),
// and every mm:ss time stamp on the page turned into a button that seeks the recording.
'use strict';

(function () {
  const player = document.querySelector('[data-player]');
  const audio = document.getElementById('call-audio');
  if (!player || !audio) return;

  const toggle = player.querySelector('[data-action="toggle"]');
  const speed = player.querySelector('[data-action="speed"]');
  const current = player.querySelector('[data-current]');
  const cues = Array.from(document.querySelectorAll('[data-transcript] [data-start]'));
  const speeds = [0.75, 1, 1.25, 1.5, 1.75, 2];

  function duration() {
    return Number.isFinite(audio.duration) && audio.duration > 0
      ? audio.duration
      : Number(player.dataset.duration) || 0;
  }

  function format(seconds) {
    const total = Math.max(0, Math.round(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, '0');
    return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + s : m + ':' + s;
  }

  function seek(seconds, play) {
    audio.currentTime = Math.max(0, Math.min(duration() || seconds, seconds));
    if (play) audio.play().catch(function () {});
  }

  function togglePlay() {
    if (audio.paused) audio.play().catch(function () {});
    else audio.pause();
  }

  function setSpeed(rate) {
    audio.playbackRate = rate;
    if (speed) speed.value = String(rate);
  }

  player.addEventListener('click', function (event) {
    const button = event.target.closest('[data-action]');
    if (!button || button.tagName === 'SELECT') return;
    const action = button.dataset.action;
    if (action === 'toggle') togglePlay();
    if (action === 'back') seek(audio.currentTime - 5);
    if (action === 'forward') seek(audio.currentTime + 5);
  });
  if (speed)
    speed.addEventListener('change', function () {
      setSpeed(Number(speed.value));
    });

  audio.addEventListener('play', function () {
    toggle.textContent = 'Pause';
  });
  audio.addEventListener('pause', function () {
    toggle.textContent = 'Play';
  });
  audio.addEventListener('timeupdate', function () {
    const t = audio.currentTime;
    current.textContent = format(t);
    cues.forEach(function (cue) {
      const active = t >= Number(cue.dataset.start) && t < Number(cue.dataset.end);
      if (active && !cue.classList.contains('active')) cue.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      cue.classList.toggle('active', active);
      if (active) cue.setAttribute('aria-current', 'true');
      else cue.removeAttribute('aria-current');
    });
  });

  // Time stamps such as 01:23 or 1:02:03 in comments and notes become seek buttons.
  const stamp = /\b(?:(\d{1,2}):)?(\d{1,2}):([0-5]\d)\b/g;
  document.querySelectorAll('[data-seekable-text]').forEach(function (container) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      const text = node.nodeValue;
      if (!stamp.test(text)) return;
      stamp.lastIndex = 0;
      const fragment = document.createDocumentFragment();
      let last = 0;
      text.replace(stamp, function (match, h, m, s, offset) {
        fragment.appendChild(document.createTextNode(text.slice(last, offset)));
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'time-stamp';
        button.dataset.seek = String(Number(h || 0) * 3600 + Number(m) * 60 + Number(s));
        button.textContent = match;
        fragment.appendChild(button);
        last = offset + match.length;
        return match;
      });
      fragment.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(fragment, node);
    });
  });

  document.addEventListener('click', function (event) {
    const target = event.target.closest('[data-seek]');
    if (!target) return;
    event.preventDefault();
    seek(Number(target.dataset.seek), true);
  });

  // A link such as /evaluations/7#t=83 opens the recording at that moment.
  const start = /^#t=(\d+)$/.exec(window.location.hash);
  if (start) {
    audio.addEventListener(
      'loadedmetadata',
      function () {
        seek(Number(start[1]));
      },
      { once: true },
    );
    if (audio.readyState >= 1) seek(Number(start[1]));
  }

  document.addEventListener('keydown', function (event) {
    const tag = (event.target.tagName || '').toLowerCase();
    if (['input', 'textarea', 'select'].includes(tag) || event.target.isContentEditable) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (key === 'k' || (key === ' ' && tag !== 'button')) {
      event.preventDefault();
      togglePlay();
    } else if (key === 'j' || key === 'ArrowLeft') {
      event.preventDefault();
      seek(audio.currentTime - 5);
    } else if (key === 'l' || key === 'ArrowRight') {
      event.preventDefault();
      seek(audio.currentTime + 5);
    } else if (key === '<' || key === '>') {
      const index = speeds.indexOf(audio.playbackRate);
      const next = speeds[Math.max(0, Math.min(speeds.length - 1, (index < 0 ? 1 : index) + (key === '>' ? 1 : -1)))];
      setSpeed(next);
    }
  });
})();
