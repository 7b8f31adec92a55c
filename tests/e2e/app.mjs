// Starts the built Tokenscope app in a real window and hands a WebdriverIO session to a test.
//
// Chain: WebdriverIO -> tauri-driver (WebDriver proxy) -> WebKitWebDriver -> the app binary.
// Every wait is bounded and `close()` (also run on process exit) kills the driver's whole
// process group, which holds WebKitWebDriver and the app, so a failed test leaves nothing behind.
//
// Usage in a node:test file:
//   const app = await launchApp();            // in before()
//   const app = await launchApp({ env });     // …with variables added to the app's environment
//   const app = await launchApp({ home });    // …keeping what the app remembers (last view,
//                                             //    window size) in `home`, across launches
//   await app.byTestId('token-input');         // -> WebdriverIO element
//   await app.paste('token-input', token);     // one input event, as a paste
//   await app.select('verify-key-kind', 'key_text');
//   await app.click('verify-run');
//   await app.waitForText('verify-verdict', 'VALID');
//   await app.screenshot('inspect');           // -> target/e2e-artifacts/inspect.png
//   await app.close();                         // in after()

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { remote } from 'webdriverio';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The debug build with the UI embedded (`tauri build --debug --no-bundle`). */
export const APP_BINARY =
  process.env.TOKENSCOPE_APP ?? path.join(ROOT, 'target/debug/tokenscope-app');
export const ARTIFACTS = path.join(ROOT, 'target/e2e-artifacts');
const NATIVE_DRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';

const DRIVER_START_TIMEOUT_MS = 15_000;
const SESSION_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 5_000;
/** How long element waits (`waitForDisplayed`, …) may take by default. */
export const WAIT_TIMEOUT_MS = 10_000;

async function isExecutable(file) {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findTauriDriver() {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  dirs.push(path.join(process.env.CARGO_HOME ?? path.join(os.homedir(), '.cargo'), 'bin'));
  for (const dir of dirs) {
    const candidate = path.join(dir, 'tauri-driver');
    if (await isExecutable(candidate)) return candidate;
  }
  throw new Error('tauri-driver not found on PATH or in ~/.cargo/bin; run scripts/setup.sh');
}

/** A port that was free a moment ago (the OS picks it), so parallel runs do not collide. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once something accepts TCP connections on the port. A plain connect, not an HTTP
 * probe: tauri-driver prints alarming (harmless) backtraces for early HTTP requests.
 */
async function waitForPort(port, timeoutMs, isAlive) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('tauri-driver exited before it started listening');
    const open = await new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.setTimeout(500);
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('timeout', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function killGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // negative pid: the whole process group
  } catch {
    // already gone
  }
}

/**
 * Launches the app under tauri-driver and opens a WebDriver session on its main window.
 * `env` is added to the environment of tauri-driver, which WebKitWebDriver and the app inherit.
 * Unless `env` says otherwise the app never reaches the developer's keychain or profiles: its
 * `DBUS_SESSION_BUS_ADDRESS` names a socket that does not exist (the keychain is unavailable) and
 * its `TOKENSCOPE_CONFIG_DIR` is a fresh temporary directory, removed by `close()`. What the app
 * remembers between runs (the webview's localStorage: last view, recent issuers; the window's
 * size and position) lives under `XDG_DATA_HOME` / `XDG_CONFIG_HOME`, also fresh, so every test
 * starts from a first launch; pass `home` (a directory the caller removes) to keep it across
 * launches.
 * @param {{ env?: Record<string, string>, home?: string }} [options]
 * @returns {Promise<App>}
 */
export async function launchApp({ env = {}, home } = {}) {
  if (!existsSync(APP_BINARY)) {
    throw new Error(
      `${APP_BINARY} does not exist; build it with the UI embedded: scripts/test.sh, or ` +
        'ui/node_modules/.bin/tauri build --debug --no-bundle (a plain cargo build loads the dev server instead)',
    );
  }
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Error('no DISPLAY: run under xvfb-run -a -s "-screen 0 1280x800x24"');
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tokenscope-e2e-app-'));
  const appHome = home ?? path.join(scratch, 'home');
  const appEnv = {
    ...process.env,
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(scratch, 'no-bus')}`,
    TOKENSCOPE_CONFIG_DIR: path.join(scratch, 'config'),
    XDG_DATA_HOME: path.join(appHome, 'data'),
    XDG_CONFIG_HOME: path.join(appHome, 'config'),
    ...env,
  };

  const port = await freePort();
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  const driverLog = createWriteStream(path.join(ARTIFACTS, 'tauri-driver.log'), { flags: 'a' });
  const driver = spawn(
    await findTauriDriver(),
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', NATIVE_DRIVER],
    // detached: the driver leads a new process group, so one kill reaches WebKitWebDriver and the app.
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: appEnv },
  );
  driver.stdout.pipe(driverLog);
  driver.stderr.pipe(driverLog);
  let driverError = null;
  driver.once('error', (e) => (driverError = e));
  const onExit = () => killGroup(driver, 'SIGKILL');
  process.once('exit', onExit);

  const stopDriver = async () => {
    process.removeListener('exit', onExit);
    if (driver.exitCode === null && driver.signalCode === null) {
      const exited = new Promise((resolve) => driver.once('exit', resolve));
      killGroup(driver, 'SIGTERM');
      await withTimeout(exited, CLOSE_TIMEOUT_MS, 'stopping tauri-driver').catch(() =>
        killGroup(driver, 'SIGKILL'),
      );
    }
    await rm(scratch, { recursive: true, force: true });
  };

  let browser;
  try {
    const driverAlive = () => {
      if (driverError) throw driverError;
      return driver.exitCode === null && driver.signalCode === null;
    };
    // Both: tauri-driver listens before its WebKitWebDriver does, and a session request that
    // arrives in between fails with a connect error.
    await waitForPort(port, DRIVER_START_TIMEOUT_MS, driverAlive);
    await waitForPort(nativePort, DRIVER_START_TIMEOUT_MS, driverAlive);
    browser = await withTimeout(
      remote({
        hostname: '127.0.0.1',
        port,
        logLevel: 'warn',
        connectionRetryTimeout: SESSION_TIMEOUT_MS,
        connectionRetryCount: 0,
        waitforTimeout: WAIT_TIMEOUT_MS,
        capabilities: {
          'tauri:options': { application: APP_BINARY },
          // Bookworm's WebKitWebDriver has no WebDriver BiDi.
          'wdio:enforceWebDriverClassic': true,
        },
      }),
      SESSION_TIMEOUT_MS,
      'opening a WebDriver session',
    );
    // `cargo build` and `tauri dev` leave a binary at the same path that loads the Vite dev
    // server instead of the embedded UI; say so rather than fail on a blank page.
    const url = await browser.getUrl();
    if (url.startsWith('http://localhost:')) {
      throw new Error(
        `${APP_BINARY} loads ${url} (a dev build); rebuild it with the UI embedded: ` +
          'scripts/test.sh, or ui/node_modules/.bin/tauri build --debug --no-bundle',
      );
    }
  } catch (error) {
    if (browser) {
      await withTimeout(browser.deleteSession(), CLOSE_TIMEOUT_MS, 'closing the session').catch(
        () => {},
      );
    }
    await stopDriver();
    throw error;
  }

  return new App(browser, stopDriver);
}

class App {
  constructor(browser, stopDriver) {
    /** The WebdriverIO browser object, for anything the helpers below do not cover. */
    this.browser = browser;
    this.stopDriver = stopDriver;
  }

  /** The element with `data-testid="<id>"`, waited for until it is displayed. */
  async byTestId(id, { timeout = WAIT_TIMEOUT_MS } = {}) {
    const element = await this.browser.$(`[data-testid="${id}"]`);
    await element.waitForDisplayed({ timeout, timeoutMsg: `[data-testid="${id}"] not shown after ${timeout} ms` });
    return element;
  }

  /** Whether an element with that test id is currently displayed, without waiting. */
  async isShown(id) {
    const element = await this.browser.$(`[data-testid="${id}"]`);
    return (await element.isExisting()) && (await element.isDisplayed());
  }

  /** Replaces the content of a text field as a paste would, one input event. */
  async paste(id, text) {
    const element = await this.byTestId(id);
    await this.browser.execute(
      (el, value) => {
        const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement : HTMLInputElement;
        Object.getOwnPropertyDescriptor(proto.prototype, 'value').set.call(el, value);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      },
      element,
      text,
    );
  }

  /** Picks the option with `value` in the `<select>` with that test id (fires `change`). */
  async select(id, value) {
    const element = await this.byTestId(id);
    await element.selectByAttribute('value', value);
  }

  /** Clicks the element with that test id once it is displayed and enabled. */
  async click(id) {
    const element = await this.byTestId(id);
    await element.waitForEnabled({ timeout: WAIT_TIMEOUT_MS });
    await element.click();
  }

  /**
   * Waits until the element's text matches `expected` (a string for equality, or a RegExp) and
   * returns the text; the failure message says what the text was instead.
   */
  async waitForText(id, expected, { timeout = WAIT_TIMEOUT_MS } = {}) {
    const element = await this.byTestId(id, { timeout });
    const matches = (text) =>
      expected instanceof RegExp ? expected.test(text) : text.trim() === expected;
    let last = '';
    await this.browser
      .waitUntil(
        async () => {
          last = await element.getText();
          return matches(last);
        },
        { timeout, interval: 100 },
      )
      .catch(() => {
        throw new Error(`[data-testid="${id}"] text is ${JSON.stringify(last)}, expected ${expected}`);
      });
    return last;
  }

  /** Saves a screenshot to target/e2e-artifacts/<name>.png and returns its path. */
  async screenshot(name) {
    const file = path.join(ARTIFACTS, `${name}.png`);
    // WebKitWebDriver captures the last painted frame; without waiting for the next two
    // animation frames the picture can show the page as it was one step earlier.
    await this.browser.executeAsync((done) =>
      requestAnimationFrame(() => requestAnimationFrame(() => done())),
    );
    await this.browser.saveScreenshot(file);
    return file;
  }

  /** Ends the session and kills the driver, WebKitWebDriver and the app. Safe to call twice. */
  async close() {
    if (this.browser) {
      const browser = this.browser;
      this.browser = null;
      await withTimeout(browser.deleteSession(), CLOSE_TIMEOUT_MS, 'closing the session').catch(
        () => {},
      );
    }
    await this.stopDriver();
  }
}
