import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/**
 * The app freezes Object.prototype (`freezePrototype` in tauri.conf.json), and in a frozen realm
 * `exports.toString = …` on a plain object throws (the "override mistake": the inherited
 * `toString` is read-only). qrcode's `lib/core/mode.js` does exactly that, so give its exports an
 * own, writable `toString` first. The encoder is otherwise untouched.
 */
function qrcodeUnderFrozenPrototype(): Plugin {
  return {
    name: "tokenscope:qrcode-frozen-prototype",
    transform(code, id) {
      if (!/[\\/]qrcode[\\/]lib[\\/]core[\\/]mode\.js$/.test(id)) return null;
      const own = 'Object.defineProperty(exports, "toString", { value: undefined, writable: true, enumerable: true, configurable: true });\n';
      return { code: own + code, map: null };
    },
  };
}

// Tauri serves the static `dist/` folder; the dev server is what `devUrl` points at.
export default defineConfig({
  plugins: [svelte(), svelteTesting(), qrcodeUnderFrozenPrototype()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK on Debian 12 ships a Safari 15-era engine.
    target: ["es2021", "safari15"],
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
  },
});
