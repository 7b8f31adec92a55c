// A private OS keychain for the real-window tests, never the developer's own: a D-Bus session bus
// of our own (dbus-daemon with a config that activates nothing) and on it, when asked,
// gnome-keyring-daemon unlocked with a password on its stdin, its data in a temporary directory
// and no DISPLAY (so no unlock prompt can ever wait for a person). The same recipe as the Rust
// tests' tests/util/secret_service.rs. The app gets the bus through `appEnv()`.
//
// Usage:
//   const keychain = await startKeychain();            // or { secretService: false }: a bare bus
//   const app = await launchApp({ env: keychain.appEnv() });
//   await keychain.secretToolSearch();                 // what `secret-tool` sees on that bus
//   keychain.freeze(); keychain.thaw();                // SIGSTOP / SIGCONT the keyring daemon
//   await keychain.stop();                             // in after()

import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const PASSWORD = 'e2e-keyring-password';
const START_TIMEOUT_MS = 15_000;

/** Runs a tool on the private bus with no DISPLAY; resolves with its stdout and stderr. */
function run(address, file, args) {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { PATH: process.env.PATH, HOME: os.tmpdir(), DBUS_SESSION_BUS_ADDRESS: address }, timeout: 10_000 },
      (error, stdout, stderr) => resolve({ ok: !error, stdout, stderr }),
    );
  });
}

async function waitFor(what, check) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the private keychain did not come up: ${what}`);
}

/**
 * Starts a private bus and, unless `secretService` is false, an unlocked gnome-keyring on it.
 * @param {{ secretService?: boolean }} [options]
 */
export async function startKeychain({ secretService = true } = {}) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tokenscope-e2e-keychain-'));
  const config = path.join(root, 'bus.conf');
  await writeFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${path.join(root, 'bus')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...noDisplay } = process.env;
  const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], {
    env: noDisplay,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const processes = [bus];
  const keychain = new Keychain(root, processes);
  try {
    keychain.address = await new Promise((resolve, reject) => {
      bus.once('error', reject);
      bus.once('exit', () => reject(new Error('dbus-daemon exited')));
      readline.createInterface({ input: bus.stdout }).once('line', (line) => resolve(line.trim()));
    });
    if (secretService) await keychain.startKeyring();
  } catch (error) {
    await keychain.stop();
    throw error;
  }
  return keychain;
}

class Keychain {
  constructor(root, processes) {
    this.root = root;
    this.processes = processes;
    this.address = '';
    this.daemon = null;
  }

  /** The app's profile directory (`TOKENSCOPE_CONFIG_DIR`), inside the temporary directory. */
  get configDir() {
    return path.join(this.root, 'config');
  }

  /** What the app needs in its environment to use this keychain and a private config dir. */
  appEnv(extra = {}) {
    return { DBUS_SESSION_BUS_ADDRESS: this.address, TOKENSCOPE_CONFIG_DIR: this.configDir, ...extra };
  }

  async startKeyring() {
    const dirs = ['home', 'data', 'run'].map((d) => path.join(this.root, 'keyring', d));
    for (const dir of dirs) await mkdir(dir, { recursive: true });
    await chmod(dirs[2], 0o700);
    const log = createWriteStream(path.join(this.root, 'keyring', 'daemon.log'));
    const daemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
      env: {
        PATH: process.env.PATH,
        HOME: dirs[0],
        XDG_DATA_HOME: dirs[1],
        XDG_RUNTIME_DIR: dirs[2],
        DBUS_SESSION_BUS_ADDRESS: this.address,
      },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    daemon.stderr.pipe(log);
    this.processes.push(daemon);
    this.daemon = daemon;
    daemon.stdin.end(PASSWORD);
    // Ready when it owns the name and the default (login) collection exists, unlocked.
    await waitFor('org.freedesktop.secrets has no owner', async () => {
      const reply = await run(this.address, 'dbus-send', [
        '--session', '--print-reply', '--dest=org.freedesktop.DBus', '/',
        'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets',
      ]);
      return reply.stdout.includes('boolean true');
    });
    await waitFor('no default collection', async () => {
      const reply = await run(this.address, 'dbus-send', [
        '--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.ReadAlias', 'string:default',
      ]);
      return reply.stdout.includes('/org/freedesktop/secrets/collection/');
    });
  }

  /**
   * `secret-tool search --all service tokenscope` on the private bus: the items with their
   * attributes (which secret-tool prints on stderr) and secrets, or '' when there are none.
   */
  async secretToolSearch() {
    const out = await run(this.address, 'secret-tool', ['search', '--all', 'service', 'tokenscope']);
    return `${out.stdout}${out.stderr}`;
  }

  /** Stops the keyring daemon (SIGSTOP): the bus still takes its calls, and none is answered. */
  freeze() {
    this.daemon.kill('SIGSTOP');
  }

  thaw() {
    this.daemon.kill('SIGCONT');
  }

  /** Kills the daemons (a stopped one too) and removes the temporary directory. */
  async stop() {
    for (const child of this.processes.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(this.root, { recursive: true, force: true });
  }
}
