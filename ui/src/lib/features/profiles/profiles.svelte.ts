// State of the Profiles view: the profiles in the config file, the form that creates or edits one,
// and import/export. A client secret typed into the form is write-only: it goes to Rust (and from
// there only to the OS keychain) on save, is cleared from memory right after, and is never read
// back or filled in.
import type { ImportConflict } from "../../bindings/ImportConflict";
import type { ImportReport } from "../../bindings/ImportReport";
import type { Profile } from "../../bindings/Profile";
import type { RemovedProfile } from "../../bindings/RemovedProfile";
import * as ipc from "../../ipc";
import { toIpcError, VAULT_UNAVAILABLE, type IpcError } from "../../ipc";
import { copyName, draftOf, emptyDraft, isProblem, profileOf, type Draft } from "./draft";

export type FormMode = "closed" | "create" | "edit";

export class ProfilesState {
  profiles: Profile[] = $state.raw([]);
  /** Where the profiles are kept, to show. */
  file = $state("");
  loadError: IpcError | null = $state.raw(null);
  /** False until the first list arrives (or fails). */
  loaded = $state(false);

  mode: FormMode = $state("closed");
  draft: Draft = $state(emptyDraft());
  /** Write-only: sent on save, then cleared; never filled from anything Rust returns. */
  secret = $state("");
  saving = $state(false);
  /** Why the last save failed; `input` names the field (as Rust names it) when there is one. */
  formError: IpcError | null = $state.raw(null);
  /** What the last action did, in words. */
  notice: string | null = $state(null);

  /** The profile whose Delete asks for confirmation. */
  confirmingDelete: string | null = $state(null);
  deleteError: IpcError | null = $state.raw(null);
  /** The profile being duplicated, and the copy's name. */
  duplicating: { from: string; name: string } | null = $state(null);
  duplicateError: IpcError | null = $state.raw(null);

  exportText: string | null = $state(null);
  importText = $state("");
  importConflict: ImportConflict = $state("skip");
  importReport: ImportReport | null = $state.raw(null);
  importError: IpcError | null = $state.raw(null);

  /** The profile being edited, as loaded: what the form does not show is kept from it. */
  #base: Profile | null = null;

  /** The profile open in the form for editing, or null. */
  get editing(): string | null {
    return this.mode === "edit" ? (this.#base?.name ?? null) : null;
  }

  /** True when saving would store a client secret (the method uses one and one was typed). */
  get sendsSecret(): boolean {
    return this.draft.clientAuth !== "none" && this.secret !== "";
  }

  /** True when the last save failed only because the keychain is unavailable. */
  get keychainFailed(): boolean {
    return this.formError?.code === VAULT_UNAVAILABLE;
  }

  async load(): Promise<void> {
    try {
      const list = await ipc.listProfiles();
      this.profiles = list.profiles;
      this.file = list.file;
      this.loadError = null;
    } catch (e) {
      this.loadError = toIpcError(e);
    } finally {
      this.loaded = true;
    }
  }

  startCreate(): void {
    this.#open("create", null);
  }

  startEdit(name: string): void {
    const profile = this.profiles.find((p) => p.name === name);
    if (profile) this.#open("edit", profile);
  }

  closeForm(): void {
    this.mode = "closed";
    this.#base = null;
    this.secret = "";
    this.formError = null;
  }

  #open(mode: FormMode, profile: Profile | null): void {
    this.mode = mode;
    this.#base = profile;
    this.draft = profile ? draftOf(profile) : emptyDraft();
    this.secret = "";
    this.formError = null;
    this.notice = null;
  }

  /**
   * Saves the form. `withoutSecret` saves the profile alone (after the keychain was unavailable,
   * by the user's choice); the typed secret is then dropped.
   */
  async save(withoutSecret = false): Promise<void> {
    const profile = profileOf(this.draft, this.#base);
    if (isProblem(profile)) {
      this.formError = { code: "profile.invalid", message: profile.message, details: null, input: profile.field, exchanges: [] };
      return;
    }
    const secret = this.sendsSecret && !withoutSecret ? this.secret : null;
    this.saving = true;
    try {
      const saved = await ipc.saveProfile({ profile, client_secret: secret, create: this.mode === "create" });
      const fingerprint = saved.client_secret?.fingerprint;
      this.notice =
        `Saved profile ${saved.profile.name}.` +
        (fingerprint ? ` Client secret stored in the OS keychain (fingerprint ${fingerprint}).` : "");
      this.closeForm();
      await this.load();
    } catch (e) {
      this.formError = toIpcError(e);
    } finally {
      this.saving = false;
    }
  }

  askDelete(name: string): void {
    this.confirmingDelete = name;
    this.deleteError = null;
  }

  cancelDelete(): void {
    this.confirmingDelete = null;
  }

  /** Deletes the profile asked about, with its keychain entries. */
  async confirmDelete(): Promise<void> {
    const name = this.confirmingDelete;
    if (name === null) return;
    try {
      const removed = await ipc.removeProfile(name);
      this.notice = removedNotice(removed);
      this.confirmingDelete = null;
      if (this.editing === name) this.closeForm();
      await this.load();
    } catch (e) {
      this.deleteError = toIpcError(e);
    }
  }

  startDuplicate(name: string): void {
    this.duplicating = { from: name, name: copyName(name, this.profiles.map((p) => p.name)) };
    this.duplicateError = null;
  }

  cancelDuplicate(): void {
    this.duplicating = null;
  }

  /** Copies the profile's settings under the chosen name and opens the copy for editing. */
  async confirmDuplicate(): Promise<void> {
    if (!this.duplicating) return;
    const { from, name } = this.duplicating;
    try {
      const copy = await ipc.duplicateProfile(from, name.trim());
      this.duplicating = null;
      await this.load();
      this.startEdit(copy.name);
      this.notice =
        `Copied ${from} to ${copy.name}.` +
        (copy.client_auth === "none" ? "" : " Secrets are never copied: enter the copy's client secret and save.");
    } catch (e) {
      this.duplicateError = toIpcError(e);
    }
  }

  /** Every profile as export text (no secrets are in it). */
  async exportAll(): Promise<void> {
    try {
      this.exportText = await ipc.exportProfiles([]);
    } catch (e) {
      this.importError = toIpcError(e);
    }
  }

  closeExport(): void {
    this.exportText = null;
  }

  async runImport(): Promise<void> {
    this.importReport = null;
    try {
      this.importReport = await ipc.importProfiles(this.importText, this.importConflict);
      this.importError = null;
      this.importText = "";
      await this.load();
    } catch (e) {
      this.importError = toIpcError(e);
    }
  }

  /** Loads a chosen file's text into the import box (it is imported on Import). */
  async readImportFile(file: File): Promise<void> {
    this.importText = await file.text();
  }

  dispose(): void {
    this.secret = "";
  }
}

function removedNotice(removed: RemovedProfile): string {
  const kinds = removed.deleted_secrets.map((k) => k.replace("_", " "));
  return kinds.length === 0
    ? `Deleted profile ${removed.profile.name} (it had no keychain entries).`
    : `Deleted profile ${removed.profile.name} and its ${kinds.join(" and ")} from the OS keychain.`;
}
