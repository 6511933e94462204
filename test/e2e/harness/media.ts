// The call player's <audio id="call-audio">, read from the page.
import type { Page } from 'playwright-core';

export interface AudioState {
  currentTime: number;
  duration: number;
  paused: boolean;
  readyState: number;
}

export async function audioState(page: Page): Promise<AudioState> {
  return (await page.evaluate(`(function () {
    var a = document.getElementById('call-audio');
    return { currentTime: a.currentTime, duration: a.duration, paused: a.paused, readyState: a.readyState };
  })()`)) as AudioState;
}

/** Waits until the recording's metadata (duration) is loaded, so seeking is possible. */
export async function waitForAudioMetadata(page: Page): Promise<AudioState> {
  await page.waitForFunction(`(function () {
    var a = document.getElementById('call-audio');
    return !!a && a.readyState >= 1 && isFinite(a.duration) && a.duration > 0;
  })()`);
  return audioState(page);
}

/** Waits until the playhead is within [from, to) seconds. */
export async function waitForPlayheadBetween(page: Page, from: number, to: number): Promise<AudioState> {
  await page
    .waitForFunction(
      `(function () { var t = document.getElementById('call-audio').currentTime; return t >= ${from} && t < ${to}; })()`,
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => undefined); // the assertion in the test reports the actual position
  return audioState(page);
}
