// Accessibility from the keyboard (issue 15): in every view, Tab moves the caret through the
// controls in order, and each control it reaches is visible, has a name a screen reader can say
// (its label, text, aria-label or title) and shows a focus ring.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';

/** Far more stops than any view has; the walk ends when the caret comes back round. */
const MAX_TABS = 120;

/** What the test checks about the element with the caret, computed in the page. */
function describeFocused() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const text = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
  const name = (() => {
    const aria = text(el.getAttribute('aria-label'));
    if (aria) return aria;
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      const t = text(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent).join(' '));
      if (t) return t;
    }
    if (el.labels?.length) {
      const t = text([...el.labels].map((l) => l.textContent).join(' '));
      if (t) return t;
    }
    if (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName)) {
      const t = text(el.textContent);
      if (t) return t;
    }
    return text(el.getAttribute('title'));
  })();
  const style = getComputedStyle(el);
  const ring =
    (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  const rect = el.getBoundingClientRect();
  const visible =
    rect.width > 0 &&
    rect.height > 0 &&
    rect.bottom > 0 &&
    rect.right > 0 &&
    rect.top < window.innerHeight &&
    rect.left < window.innerWidth &&
    style.visibility !== 'hidden';
  const id = el.dataset.testid ?? el.id ?? '';
  const where = `${el.tagName.toLowerCase()}${id ? `[${id}]` : ''} "${name || text(el.textContent).slice(0, 30)}"`;
  // The same element twice means the walk has come round.
  if (!el.dataset.a11yStop) el.dataset.a11yStop = String(Math.random());
  return { stop: el.dataset.a11yStop, where, name, ring, visible };
}

describe('every control is reachable by Tab, named and visibly focused', { timeout: 300_000 }, () => {
  let app;

  before(async () => {
    app = await launchApp();
    await app.byTestId('token-input');
  });

  after(async () => {
    await app?.close();
  });

  const views = ['inspect', 'verify', 'diff', 'encode', 'discover', 'flows', 'profiles', 'vault'];
  /** What a view shows only with something in it: a decoded token's panels and buttons. */
  const setUp = {
    inspect: async () => {
      await app.click('load-sample');
      await app.byTestId('token-format');
    },
  };
  for (const [index, view] of views.entries()) {
    it(`${view}: Tab reaches named, visible controls with a focus ring`, async () => {
      await app.browser.keys(['Control', String(index + 1)]);
      await app.byTestId(`nav-${view}`);
      assert.equal(
        await app.browser.execute(() => document.querySelector('nav [aria-current="page"]')?.dataset.testid),
        `nav-${view}`,
      );
      // Let the view settle (the Vault and Profiles views load over IPC).
      await new Promise((resolve) => setTimeout(resolve, 500));
      await setUp[view]?.();

      const seen = new Set();
      const problems = [];
      let reachedView = 0;
      for (let i = 0; i < MAX_TABS; i += 1) {
        await app.browser.keys('Tab');
        const focused = await app.browser.execute(describeFocused);
        if (focused === null) continue;
        if (seen.has(focused.stop)) break;
        seen.add(focused.stop);
        if (!focused.where.startsWith('button[nav-')) reachedView += 1;
        if (!focused.name) problems.push(`${focused.where}: no accessible name`);
        if (!focused.visible) problems.push(`${focused.where}: not visible`);
        if (!focused.ring) problems.push(`${focused.where}: no focus ring`);
      }
      await app.screenshot(`a11y-${view}`);
      assert.ok(reachedView > 0, `Tab never reached a control of ${view}`);
      assert.deepEqual(problems, [], `${view}:\n${problems.join('\n')}`);
    });
  }
});
