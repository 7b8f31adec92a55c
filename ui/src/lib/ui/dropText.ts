// Dropping a file (a token, a PEM, a JWK or JWKS) on a field loads its text. The webview gets the
// file itself (the window's native drag-and-drop is off: `dragDropEnabled: false`), so no path
// and no filesystem permission reach the page; the file is read in memory, bounded, and never
// kept beyond the field it fills.
import type { Action } from "svelte/action";

/** Key files and tokens are small: the core bounds key text at 1 MiB too. */
export const MAX_DROP_BYTES = 1024 * 1024;

export type DropOptions = {
  /** The file's text, to put in the field. */
  onload: (text: string, name: string) => void;
  /** Why the drop was refused (too large, not text, several files). */
  onreject?: (message: string) => void;
  maxBytes?: number;
};

/** A dragged item that carries files (not text dragged from elsewhere on the page). */
export function carriesFiles(transfer: DataTransfer | null): boolean {
  return transfer !== null && Array.from(transfer.types).includes("Files");
}

/** The text of the one file dropped, or why it cannot be used. */
export async function readDroppedFile(
  files: ArrayLike<File>,
  maxBytes = MAX_DROP_BYTES,
): Promise<{ text: string; name: string } | { error: string }> {
  if (files.length > 1) return { error: "Drop one file at a time." };
  const file = files[0];
  if (files.length === 0 || file === undefined) return { error: "Nothing to load: drop a file." };
  if (file.size > maxBytes) {
    return { error: `${file.name} is ${file.size} bytes; a token or key file is at most ${maxBytes} bytes.` };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), name: file.name };
  } catch {
    return { error: `${file.name} is not text: drop a token, a PEM file or a JWK / JWK Set.` };
  }
}

/** `use:dropText={{ onload, onreject }}`: the element accepts a dropped file, marked while over it. */
export const dropText: Action<HTMLElement, DropOptions> = (node, initial) => {
  let options = initial;
  const over = (e: DragEvent): void => {
    if (!carriesFiles(e.dataTransfer)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    node.classList.add("drop-target");
  };
  const leave = (): void => {
    node.classList.remove("drop-target");
  };
  const drop = (e: DragEvent): void => {
    node.classList.remove("drop-target");
    if (!carriesFiles(e.dataTransfer) || !e.dataTransfer) return;
    e.preventDefault();
    // The window's own handler would refuse the drop: it was ours.
    e.stopPropagation();
    void readDroppedFile(e.dataTransfer.files, options.maxBytes).then((result) => {
      if ("error" in result) options.onreject?.(result.error);
      else options.onload(result.text, result.name);
    });
  };
  node.addEventListener("dragenter", over);
  node.addEventListener("dragover", over);
  node.addEventListener("dragleave", leave);
  node.addEventListener("drop", drop);
  return {
    update(next: DropOptions) {
      options = next;
    },
    destroy() {
      node.removeEventListener("dragenter", over);
      node.removeEventListener("dragover", over);
      node.removeEventListener("dragleave", leave);
      node.removeEventListener("drop", drop);
    },
  };
};

/** A PEM block or a JSON object (JWK, JWK Set): key text, as opposed to a secret's bytes. */
export function looksLikeKeyText(text: string): boolean {
  const t = text.trim();
  return t.startsWith("-----BEGIN ") || t.startsWith("{");
}

/** A file's text as a secret: without the line end an editor adds to the last line. */
export function secretFromFile(text: string): string {
  return text.replace(/\r?\n$/, "");
}
