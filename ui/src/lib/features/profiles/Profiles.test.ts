import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { expect, test } from "vitest";

import type { IpcError } from "../../bindings/IpcError";
import type { Profile } from "../../bindings/Profile";
import type { SaveProfileRequest } from "../../bindings/SaveProfileRequest";
import type { VaultEntry } from "../../bindings/VaultEntry";
import Profiles from "./Profiles.svelte";

const ENDPOINTS = { authorization: null, token: null, userinfo: null, revocation: null, introspection: null, device: null, jwks: null };

function profile(name: string, overrides: Partial<Profile> = {}): Profile {
  return {
    name,
    issuer: "https://id.example",
    endpoints: ENDPOINTS,
    client_id: "client-1",
    client_auth: "client_secret_basic",
    scopes: ["openid"],
    extra_authorization_params: {},
    redirect: { host: "127.0.0.1", port: null, path: "/callback" },
    pkce: "S256",
    ...overrides,
  };
}

function entry(name: string): VaultEntry {
  return {
    profile: name,
    kind: "client_secret",
    stored_at: 1_700_000_000,
    flow: "manual",
    expires_at: null,
    fingerprint: "0123456789abcdef",
    previous_fingerprint: null,
  };
}

type Calls = { cmd: string; args: Record<string, unknown> }[];

/** A command's rejection: an `IpcError` as Rust sends it. */
class Rejection {
  constructor(readonly error: IpcError) {}
}

function reject(code: string, message: string, input?: string): Rejection {
  return new Rejection({ code, message, details: null, exchanges: [], ...(input ? { input } : {}) });
}

/** A profile store in memory behind mockIPC; `reply` may answer a command first. */
function mockProfiles(initial: Profile[], reply: (cmd: string, args: Record<string, unknown>) => unknown = () => undefined): Calls {
  let profiles = [...initial];
  const calls: Calls = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const answer = reply(cmd, args);
    if (answer instanceof Rejection) {
      // Rust rejects with an IpcError object, not an Error.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw answer.error;
    }
    if (answer !== undefined) return answer;
    switch (cmd) {
      case "list_profiles":
        return { file: "/home/u/.config/tokenscope/profiles.json", profiles };
      case "save_profile": {
        const request = args.request as SaveProfileRequest;
        profiles = [...profiles.filter((p) => p.name !== request.profile.name), request.profile].sort((a, b) => a.name.localeCompare(b.name));
        return { profile: request.profile, client_secret: request.client_secret ? entry(request.profile.name) : null };
      }
      case "remove_profile": {
        const removed = profiles.find((p) => p.name === args.name);
        profiles = profiles.filter((p) => p.name !== args.name);
        return { profile: removed, deleted_secrets: ["client_secret"] };
      }
      case "duplicate_profile": {
        const source = profiles.find((p) => p.name === args.name);
        if (!source) throw new Error("no source");
        const copy = { ...source, name: args.newName as string };
        profiles = [...profiles, copy];
        return copy;
      }
      case "export_profiles":
        return JSON.stringify({ schema_version: 1, profiles });
      case "import_profiles":
        return { added: ["imported"], replaced: [], skipped: ["dev"] };
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return calls;
}

function saveRequests(calls: Calls): SaveProfileRequest[] {
  return calls.filter((c) => c.cmd === "save_profile").map((c) => c.args.request as SaveProfileRequest);
}

async function type(testid: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

test("a new profile is created from the form, its client secret sent once and never shown again", async () => {
  const calls = mockProfiles([]);
  render(Profiles);
  expect(await screen.findByTestId("profiles-empty")).toBeInTheDocument();
  await fireEvent.click(screen.getByTestId("profile-new"));

  // A public client has no secret field.
  expect(screen.queryByTestId("profile-client-secret")).not.toBeInTheDocument();
  await type("profile-name", "okta-dev");
  await type("profile-issuer", "https://dev.okta.example");
  await type("profile-client-id", "0oa1");
  await fireEvent.change(screen.getByTestId("profile-client-auth"), { target: { value: "client_secret_post" } });
  const secret = screen.getByTestId<HTMLInputElement>("profile-client-secret");
  expect(secret.type).toBe("password");
  expect(secret.value).toBe("");
  await type("profile-client-secret", "s3cret");
  await type("profile-scopes", "openid email");
  await type("profile-extra-params", "prompt=consent");
  await fireEvent.change(screen.getByTestId("profile-redirect-host"), { target: { value: "[::1]" } });
  await fireEvent.change(screen.getByTestId("profile-port-mode"), { target: { value: "true" } });
  await type("profile-redirect-port", "8765");
  expect(screen.getByTestId("profile-redirect-preview")).toHaveTextContent("http://[::1]:8765/callback");
  await fireEvent.click(screen.getByTestId("profile-save"));

  const notice = await screen.findByTestId("profiles-notice");
  expect(notice).toHaveTextContent("Saved profile okta-dev. Client secret stored in the OS keychain (fingerprint 0123456789abcdef).");
  expect(saveRequests(calls)).toEqual([
    {
      create: true,
      client_secret: "s3cret",
      profile: {
        ...profile("okta-dev", { issuer: "https://dev.okta.example", client_id: "0oa1", client_auth: "client_secret_post" }),
        scopes: ["openid", "email"],
        extra_authorization_params: { prompt: "consent" },
        redirect: { host: "[::1]", port: 8765, path: "/callback" },
      },
    },
  ]);
  expect(screen.queryByTestId("profile-form")).not.toBeInTheDocument();
  expect(await screen.findByTestId("profile-row-okta-dev")).toHaveTextContent("secret (post)");
  expect(document.body.textContent).not.toContain("s3cret");
});

test("editing never fills in the client secret, and an empty one keeps what is stored", async () => {
  const calls = mockProfiles([profile("dev")]);
  render(Profiles);
  await fireEvent.click(await screen.findByTestId("profile-edit-dev"));
  expect(screen.getByTestId<HTMLInputElement>("profile-name").readOnly).toBe(true);
  expect(screen.getByTestId<HTMLInputElement>("profile-issuer").value).toBe("https://id.example");
  const secret = screen.getByTestId<HTMLInputElement>("profile-client-secret");
  expect(secret.value).toBe("");
  expect(secret.placeholder).toBe("Leave empty to keep the stored secret");

  await type("profile-scopes", "openid profile");
  await fireEvent.click(screen.getByTestId("profile-save"));
  await screen.findByTestId("profiles-notice");
  const [request] = saveRequests(calls);
  expect(request).toMatchObject({ create: false, client_secret: null, profile: { name: "dev", scopes: ["openid", "profile"] } });

  // Reopened after a save with a secret: the field is empty again.
  await fireEvent.click(screen.getByTestId("profile-edit-dev"));
  await type("profile-client-secret", "rotated");
  await fireEvent.click(screen.getByTestId("profile-save"));
  await waitFor(() => {
    expect(saveRequests(calls)).toHaveLength(2);
  });
  await fireEvent.click(await screen.findByTestId("profile-edit-dev"));
  expect(screen.getByTestId<HTMLInputElement>("profile-client-secret").value).toBe("");
});

test("a field Rust rejects is marked, with its message and code", async () => {
  mockProfiles([], (cmd) =>
    cmd === "save_profile"
      ? reject("profile.invalid", 'profile "dev": issuer "ftp://x" must be an http(s) URL with a host', "issuer")
      : undefined,
  );
  render(Profiles);
  await fireEvent.click(await screen.findByTestId("profile-new"));
  await type("profile-name", "dev");
  await type("profile-issuer", "ftp://x");
  await fireEvent.click(screen.getByTestId("profile-save"));
  const error = await screen.findByTestId("profile-error");
  expect(error).toHaveTextContent("must be an http(s) URL with a host");
  expect(error).toHaveTextContent("profile.invalid");
  expect(screen.getByTestId("profile-issuer")).toHaveClass("bad");
  expect(screen.getByTestId("profile-name")).not.toHaveClass("bad");
});

test("without a keychain nothing is saved, and the profile can be saved without its secret by choice", async () => {
  const calls = mockProfiles([], (cmd, args) =>
    cmd === "save_profile" && (args.request as SaveProfileRequest).client_secret !== null
      ? reject("vault.unavailable", "the OS keychain is locked and was not unlocked. Unlock it")
      : undefined,
  );
  render(Profiles);
  await fireEvent.click(await screen.findByTestId("profile-new"));
  await type("profile-name", "dev");
  await type("profile-issuer", "https://id.example");
  await type("profile-client-id", "c");
  await fireEvent.change(screen.getByTestId("profile-client-auth"), { target: { value: "client_secret_basic" } });
  await type("profile-client-secret", "s3cret");
  await fireEvent.click(screen.getByTestId("profile-save"));
  const error = await screen.findByTestId("profile-error");
  expect(error).toHaveTextContent("The OS keychain is unavailable: nothing was saved.");
  expect(error).toHaveTextContent("Unlock it");

  await fireEvent.click(screen.getByTestId("profile-save-without-secret"));
  expect(await screen.findByTestId("profile-row-dev")).toBeInTheDocument();
  expect(saveRequests(calls).map((r) => r.client_secret)).toEqual(["s3cret", null]);
});

test("delete says its keychain entries go too, and asks first", async () => {
  const calls = mockProfiles([profile("dev"), profile("prod")]);
  render(Profiles);
  await fireEvent.click(await screen.findByTestId("profile-delete-dev"));
  const confirm = screen.getByRole("alertdialog", { name: "Delete dev" });
  expect(confirm).toHaveTextContent("Its keychain entries (client secret, refresh token) go too.");
  expect(calls.some((c) => c.cmd === "remove_profile")).toBe(false);
  await fireEvent.click(within(confirm).getByTestId("profile-delete-confirm-dev"));
  expect(await screen.findByTestId("profiles-notice")).toHaveTextContent("Deleted profile dev and its client secret from the OS keychain.");
  await waitFor(() => {
    expect(screen.queryByTestId("profile-row-dev")).not.toBeInTheDocument();
  });
  expect(screen.getByTestId("profile-row-prod")).toBeInTheDocument();
});

test("a profile whose secrets cannot be deleted stays, and says why", async () => {
  mockProfiles([profile("dev")], (cmd) =>
    cmd === "remove_profile" ? reject("vault.unavailable", "no OS keychain is reachable") : undefined,
  );
  render(Profiles);
  await fireEvent.click(await screen.findByTestId("profile-delete-dev"));
  await fireEvent.click(screen.getByTestId("profile-delete-confirm-dev"));
  expect(await screen.findByTestId("profile-delete-error")).toHaveTextContent("the profile stays");
  expect(screen.getByTestId("profile-row-dev")).toBeInTheDocument();
});

test("duplicate copies the settings under a free name and opens the copy", async () => {
  const calls = mockProfiles([profile("dev")]);
  render(Profiles);
  await fireEvent.click(await screen.findByTestId("profile-duplicate-dev"));
  expect(screen.getByTestId<HTMLInputElement>("profile-duplicate-name").value).toBe("dev-copy");
  await fireEvent.click(screen.getByTestId("profile-duplicate-confirm"));
  expect(await screen.findByTestId("profile-row-dev-copy")).toBeInTheDocument();
  expect(calls.find((c) => c.cmd === "duplicate_profile")?.args).toEqual({ name: "dev", newName: "dev-copy" });
  expect(screen.getByTestId<HTMLInputElement>("profile-name").value).toBe("dev-copy");
  expect(screen.getByTestId("profiles-notice")).toHaveTextContent("Secrets are never copied");
  expect(screen.getByTestId<HTMLInputElement>("profile-client-secret").value).toBe("");
});

test("export shows the profiles as text; import sends text and the conflict rule", async () => {
  const calls = mockProfiles([profile("dev")]);
  render(Profiles);
  await fireEvent.click(await screen.findByTestId("profiles-export"));
  const exported = await screen.findByTestId<HTMLTextAreaElement>("profiles-export-text");
  expect(JSON.parse(exported.value)).toEqual({ schema_version: 1, profiles: [profile("dev")] });

  await type("profiles-import-text", '{"schema_version":1,"profiles":[]}');
  await fireEvent.change(screen.getByTestId("profiles-import-conflict"), { target: { value: "replace" } });
  await fireEvent.click(screen.getByTestId("profiles-import-run"));
  expect(await screen.findByTestId("profiles-import-result")).toHaveTextContent("Added 1, replaced 0, kept 1 existing.");
  expect(calls.find((c) => c.cmd === "import_profiles")?.args).toEqual({ text: '{"schema_version":1,"profiles":[]}', conflict: "replace" });
});
