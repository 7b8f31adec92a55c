import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { expect, test, vi } from "vitest";

import type { VaultEntry } from "../../bindings/VaultEntry";
import type { VaultStatus } from "../../bindings/VaultStatus";
import Vault from "./Vault.svelte";
import { REVEAL_MS } from "./vault.svelte";

const SECRET = "s3cret-value";

function entry(profile: string, kind: VaultEntry["kind"] = "client_secret"): VaultEntry {
  return {
    profile,
    kind,
    stored_at: 1_767_225_600,
    flow: "manual",
    expires_at: null,
    fingerprint: "0123456789abcdef",
    previous_fingerprint: null,
  };
}

const LOCKED: VaultStatus = {
  state: "unavailable",
  code: "vault.unavailable",
  reason: "locked",
  message: "the OS keychain is locked and was not unlocked. Unlock it (log in to the desktop session, or `gnome-keyring-daemon --unlock`), then try again",
};

type Calls = { cmd: string; args: Record<string, unknown> }[];

/** A keychain behind mockIPC: `status` answers vault_status, `entries` is what is stored. */
function mockVault(options: { status?: () => VaultStatus; entries?: VaultEntry[]; fail?: (cmd: string) => unknown } = {}): Calls {
  let entries = options.entries ?? [entry("dev")];
  const calls: Calls = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const failure = options.fail?.(cmd);
    // Rust rejects with an IpcError object, not an Error.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (failure !== undefined) throw failure;
    switch (cmd) {
      case "vault_status":
        return options.status?.() ?? { state: "available" };
      case "vault_list":
        return entries;
      case "vault_reveal":
        return SECRET;
      case "vault_delete":
        entries = entries.filter((e) => !(e.profile === args.profile && e.kind === args.kind));
        return true;
      case "vault_forget_all": {
        const deleted = entries;
        entries = [];
        return deleted;
      }
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return calls;
}

test("entries are listed masked with their metadata, never their values", async () => {
  const calls = mockVault({ entries: [{ ...entry("dev"), previous_fingerprint: "fedcba9876543210" }, entry("dev", "refresh_token")] });
  render(Vault);
  const row = await screen.findByTestId("vault-row-dev/client_secret");
  expect(row).toHaveTextContent("client secret");
  expect(row).toHaveTextContent("2026-01-01T00:00:00Z");
  expect(row).toHaveTextContent("typed in");
  expect(row).toHaveTextContent("0123456789abcdef(rotated)");
  expect(row.querySelector("[title]")).toHaveAttribute("title", "Replaced fedcba9876543210");
  expect(screen.getByTestId("vault-masked-dev/client_secret")).toHaveTextContent("••••••••");
  expect(screen.getByTestId("vault-row-dev/refresh_token")).toBeInTheDocument();
  expect(calls.map((c) => c.cmd)).toEqual(["vault_status", "vault_list"]);
  expect(document.body.textContent).not.toContain(SECRET);
});

test("Reveal asks Rust for that value only, shows it, and masks it again after 20 s", async () => {
  vi.useFakeTimers();
  const calls = mockVault();
  render(Vault);
  await vi.waitFor(() => screen.getByTestId("vault-reveal-dev/client_secret"));
  await fireEvent.click(screen.getByTestId("vault-reveal-dev/client_secret"));
  const revealed = await vi.waitFor(() => screen.getByTestId("vault-revealed-dev/client_secret"));
  expect(revealed).toHaveTextContent(SECRET);
  expect(calls.find((c) => c.cmd === "vault_reveal")?.args).toEqual({ profile: "dev", kind: "client_secret" });
  expect(screen.queryByTestId("vault-masked-dev/client_secret")).not.toBeInTheDocument();

  await vi.advanceTimersByTimeAsync(REVEAL_MS - 100);
  expect(screen.getByTestId("vault-revealed-dev/client_secret")).toBeInTheDocument();
  await vi.advanceTimersByTimeAsync(100);
  expect(screen.queryByTestId("vault-revealed-dev/client_secret")).not.toBeInTheDocument();
  expect(screen.getByTestId("vault-masked-dev/client_secret")).toBeInTheDocument();
  expect(document.body.textContent).not.toContain(SECRET);
});

test("Hide masks a revealed value at once", async () => {
  mockVault();
  render(Vault);
  await fireEvent.click(await screen.findByTestId("vault-reveal-dev/client_secret"));
  await screen.findByTestId("vault-revealed-dev/client_secret");
  await fireEvent.click(screen.getByTestId("vault-hide-dev/client_secret"));
  expect(screen.getByTestId("vault-masked-dev/client_secret")).toBeInTheDocument();
  expect(document.body.textContent).not.toContain(SECRET);
});

test("an unavailable keychain shows a banner that says what to do, and Retry opens it again", async () => {
  let status: VaultStatus = LOCKED;
  const calls = mockVault({ status: () => status });
  render(Vault);
  const banner = await screen.findByTestId("vault-unavailable");
  expect(banner).toHaveTextContent("The OS keychain is unavailable.");
  expect(screen.getByTestId("vault-unavailable-fix")).toHaveTextContent("gnome-keyring-daemon --unlock");
  expect(banner).toHaveTextContent("log in to the desktop session");
  expect(banner).toHaveTextContent("vault.unavailable (locked)");
  expect(calls.map((c) => c.cmd)).toEqual(["vault_status"]);

  status = { state: "available" };
  await fireEvent.click(screen.getByTestId("vault-retry"));
  expect(await screen.findByTestId("vault-row-dev/client_secret")).toBeInTheDocument();
  expect(screen.queryByTestId("vault-unavailable")).not.toBeInTheDocument();
  expect(calls.find((c) => c.cmd === "vault_status" && c.args.retry === true)).toBeDefined();
});

test("a keychain call that fails with vault.unavailable turns into the banner and hides revealed values", async () => {
  let status: VaultStatus = { state: "available" };
  let failing = false;
  mockVault({
    status: () => status,
    fail: (cmd) => {
      if (!failing || cmd === "vault_status") return undefined;
      status = { ...LOCKED, reason: "timeout", message: "the OS keychain did not answer in time (no answer within 1500 ms)" };
      return { code: "vault.unavailable", message: "the OS keychain did not answer in time" };
    },
  });
  render(Vault);
  await fireEvent.click(await screen.findByTestId("vault-reveal-dev/client_secret"));
  await screen.findByTestId("vault-revealed-dev/client_secret");

  failing = true;
  await fireEvent.click(screen.getByTestId("vault-refresh"));
  const banner = await screen.findByTestId("vault-unavailable");
  expect(banner).toHaveTextContent("did not answer in time");
  expect(screen.getByTestId("vault-unavailable-fix")).toHaveTextContent("restart it");
  expect(screen.queryByTestId("vault-revealed-dev/client_secret")).not.toBeInTheDocument();
  expect(document.body.textContent).not.toContain(SECRET);
});

test("Delete and Forget all ask first, then delete", async () => {
  const calls = mockVault({ entries: [entry("dev"), entry("prod")] });
  render(Vault);
  await fireEvent.click(await screen.findByTestId("vault-delete-dev/client_secret"));
  expect(calls.some((c) => c.cmd === "vault_delete")).toBe(false);
  await fireEvent.click(screen.getByTestId("vault-delete-confirm-dev/client_secret"));
  await waitFor(() => {
    expect(screen.queryByTestId("vault-row-dev/client_secret")).not.toBeInTheDocument();
  });
  expect(screen.getByTestId("vault-notice")).toHaveTextContent("Deleted the client secret of dev from the OS keychain.");

  await fireEvent.click(screen.getByTestId("vault-forget-all"));
  expect(calls.some((c) => c.cmd === "vault_forget_all")).toBe(false);
  await fireEvent.click(screen.getByTestId("vault-forget-all-confirm"));
  expect(await screen.findByTestId("vault-empty")).toBeInTheDocument();
  expect(screen.getByTestId("vault-notice")).toHaveTextContent("Deleted 1 entry from the OS keychain.");
});

test("while the keychain is asked (maybe showing an unlock prompt) the view says so, not that it is empty", async () => {
  mockIPC((cmd) => (cmd === "vault_status" ? { state: "available" } : new Promise(() => undefined)));
  render(Vault);
  expect(await screen.findByTestId("vault-loading")).toHaveTextContent("unlock prompt");
  expect(screen.queryByTestId("vault-empty")).not.toBeInTheDocument();
});

test("a revealed value is dropped when the view goes away", async () => {
  mockVault();
  const { unmount } = render(Vault);
  await fireEvent.click(await screen.findByTestId("vault-reveal-dev/client_secret"));
  await screen.findByTestId("vault-revealed-dev/client_secret");
  unmount();
  render(Vault);
  expect(await screen.findByTestId("vault-masked-dev/client_secret")).toBeInTheDocument();
});
