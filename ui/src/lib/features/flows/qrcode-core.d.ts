// The `qrcode` package's encoder alone (lib/core/qrcode.js): the matrix, without its canvas and
// string renderers. Typed as the package's own `create`.
declare module "qrcode/lib/core/qrcode" {
  export { create } from "qrcode";
}
