// The call's waveform, drawn on a canvas from the peaks file the analysis wrote (format: src/analysis/audio/
// peaks.ts): two mirrored lanes, the agent above and the customer below (one lane on mono), dead air and
// overtalk shaded (staff only), transcript lines marked, a playhead. Click to seek; focusable, with the arrow
// keys, Page Up/Down, Home and End to move, and a text summary for screen readers. Without peaks (not yet
// analysed) it draws the transcript lines alone.
'use strict';

(function () {
  const figure = document.querySelector('[data-waveform]');
  const audio = document.getElementById('call-audio');
  if (!figure || !audio) return;
  const canvas = figure.querySelector('[data-waveform-canvas]');
  const summary = figure.querySelector('[data-waveform-summary]');
  const cues = JSON.parse(figure.dataset.cues || '[]');
  const state = { peaks: null, deadAir: [], overtalk: [] };

  function duration() {
    if (Number.isFinite(audio.duration) && audio.duration > 0) return audio.duration;
    if (state.peaks) return state.peaks.count / state.peaks.perSecond;
    return Number(figure.dataset.duration) || 0;
  }

  function format(seconds) {
    const total = Math.max(0, Math.round(seconds));
    const m = Math.floor(total / 60);
    return m + ':' + String(total % 60).padStart(2, '0');
  }

  /** The peaks file: "CSPK", version, channels, peaks per second, count, then (min, max) int8 per channel. */
  function parsePeaks(buffer) {
    const view = new DataView(buffer);
    if (buffer.byteLength < 12) return null;
    const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
    if (magic !== 'CSPK' || view.getUint8(4) !== 1) return null;
    const channels = view.getUint8(5);
    const perSecond = view.getUint16(6, true);
    const count = view.getUint32(8, true);
    if (!channels || !perSecond || buffer.byteLength !== 12 + count * channels * 2) return null;
    return { channels: channels, perSecond: perSecond, count: count, data: new Int8Array(buffer, 12) };
  }

  function colour(name, fallback) {
    return getComputedStyle(figure).getPropertyValue(name).trim() || fallback;
  }

  function shade(ctx, segments, fill, width, height, total) {
    ctx.fillStyle = fill;
    segments.forEach(function (s) {
      const x = (s.start_s / total) * width;
      ctx.fillRect(x, 0, Math.max(1, ((s.end_s - s.start_s) / total) * width), height);
    });
  }

  /** Each pixel column: the loudest peak of its stretch, drawn up (agent) or down (customer) from the middle. */
  function drawLanes(ctx, width, height, total) {
    const peaks = state.peaks;
    const mid = height / 2;
    const lanes = peaks.channels >= 2 ? 2 : 1;
    for (let lane = 0; lane < lanes; lane += 1) {
      if (lanes === 1) ctx.fillStyle = colour('--wave-mixed', '#4a6572');
      else ctx.fillStyle = lane === 0 ? colour('--wave-agent', '#1f6feb') : colour('--wave-customer', '#b35900');
      for (let x = 0; x < width; x += 1) {
        const from = Math.floor((x / width) * total * peaks.perSecond);
        const to = Math.max(from + 1, Math.floor(((x + 1) / width) * total * peaks.perSecond));
        let low = 0;
        let high = 0;
        for (let i = from; i < Math.min(to, peaks.count); i += 1) {
          const at = (i * peaks.channels + lane) * 2;
          low = Math.min(low, peaks.data[at]);
          high = Math.max(high, peaks.data[at + 1]);
        }
        if (lanes === 1) {
          ctx.fillRect(x, mid - (high / 128) * mid, 1, Math.max(1, ((high - low) / 128) * mid));
        } else {
          const amp = (Math.max(high, -low) / 128) * (mid - 2);
          ctx.fillRect(x, lane === 0 ? mid - amp - 1 : mid + 1, 1, Math.max(1, amp));
        }
      }
    }
  }

  function drawCues(ctx, width, height, total) {
    ctx.fillStyle = colour('--wave-cue', '#555');
    cues.forEach(function (cue) {
      const x = (cue.s / total) * width;
      const w = Math.max(2, ((cue.e - cue.s) / total) * width);
      ctx.fillRect(x, cue.agent ? 0 : height - 4, w, 4);
    });
  }

  function draw() {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const ctx = canvas.getContext('2d');
    const total = duration() || 1;
    ctx.clearRect(0, 0, width, height);
    shade(ctx, state.deadAir, colour('--wave-dead-air', 'rgba(120,120,120,0.25)'), width, height, total);
    shade(ctx, state.overtalk, colour('--wave-overtalk', 'rgba(200,30,30,0.25)'), width, height, total);
    if (state.peaks) drawLanes(ctx, width, height, total);
    ctx.fillStyle = colour('--wave-axis', 'rgba(0,0,0,0.3)');
    ctx.fillRect(0, Math.floor(height / 2), width, 1);
    drawCues(ctx, width, height, total);
    ctx.fillStyle = colour('--wave-playhead', '#d1242f');
    ctx.fillRect(Math.min(width - 2, (audio.currentTime / total) * width), 0, 2 * ratio, height);
  }

  function seek(seconds) {
    audio.currentTime = Math.max(0, Math.min(duration(), seconds));
    draw();
  }

  /** The legend and label say what the peaks hold: two sides, or (mono) one channel with both voices mixed. */
  function labelLanes() {
    if (!state.peaks) return;
    const mono = state.peaks.channels < 2;
    const stereo = figure.dataset.layoutStereo;
    const mixed = figure.dataset.layoutMono;
    const label = canvas.getAttribute('aria-label') || '';
    canvas.setAttribute('aria-label', mono ? label.replace(stereo, mixed) : label.replace(mixed, stereo));
    // A mono recording has no sides, so no overtalk to shade.
    const overtalk = figure.querySelector('[data-legend-overtalk]');
    if (overtalk) overtalk.hidden = mono;
    const legend = figure.querySelector('[data-legend-lanes]');
    if (!legend) return;
    legend.textContent = '';
    const lanes = mono
      ? [['seg-mixed', 'one mixed channel (agent and customer together)']]
      : [
          ['seg-agent', 'agent'],
          ['seg-customer', 'customer'],
        ];
    lanes.forEach(function (lane) {
      const swatch = document.createElement('span');
      swatch.className = 'swatch ' + lane[0];
      legend.append(swatch, ' ' + lane[1] + ' ');
    });
  }

  function describe() {
    const parts = [];
    if (state.peaks) parts.push(state.peaks.channels >= 2 ? 'stereo' : 'mono: one lane, both voices');
    else parts.push('no waveform yet; transcript lines only');
    if (state.deadAir.length) parts.push(state.deadAir.length + ' stretch(es) of dead air shaded');
    if (state.overtalk.length) parts.push(state.overtalk.length + ' of overtalk');
    if (summary) summary.textContent = '(' + parts.join(', ') + ')';
  }

  canvas.addEventListener('click', function (event) {
    const box = canvas.getBoundingClientRect();
    seek(((event.clientX - box.left) / box.width) * duration());
  });
  canvas.addEventListener('keydown', function (event) {
    const steps = { ArrowLeft: -5, ArrowRight: 5, ArrowDown: -5, ArrowUp: 5, PageDown: -30, PageUp: 30 };
    if (event.key in steps) seek(audio.currentTime + steps[event.key]);
    else if (event.key === 'Home') seek(0);
    else if (event.key === 'End') seek(duration());
    else return;
    // The page's own shortcuts (player.js) would move the recording a second time.
    event.preventDefault();
    event.stopPropagation();
  });
  audio.addEventListener('timeupdate', function () {
    canvas.setAttribute('aria-valuenow', String(Math.round(audio.currentTime)));
    canvas.setAttribute('aria-valuetext', format(audio.currentTime) + ' of ' + format(duration()));
    draw();
  });
  audio.addEventListener('loadedmetadata', function () {
    canvas.setAttribute('aria-valuemax', String(Math.round(duration())));
    draw();
  });
  window.addEventListener('resize', draw);

  function load(url, as) {
    if (!url) return Promise.resolve(null);
    return fetch(url, { credentials: 'same-origin' })
      .then(function (res) {
        return res.ok ? res[as]() : null;
      })
      .catch(function () {
        return null;
      });
  }

  Promise.all([load(figure.dataset.peaksUrl, 'arrayBuffer'), load(figure.dataset.segmentsUrl, 'json')]).then(
    function (results) {
      if (results[0]) state.peaks = parsePeaks(results[0]);
      if (results[1]) {
        state.deadAir = results[1].dead_air || [];
        state.overtalk = results[1].overtalk || [];
      }
      figure.classList.toggle('has-peaks', Boolean(state.peaks));
      labelLanes();
      describe();
      draw();
    },
  );
  draw();
})();
