//! Tokenscope core: token decoding, verification and OAuth tooling with no GUI or terminal dependency.
//!
//! The Tauri shell (`src-tauri/`) and the `tokenscope` CLI (`src/bin/tokenscope/`) are thin front ends
//! over this library. Nothing here reads the system clock directly (see [`clock`]) or prints.

pub mod clock;
pub mod discovery;
pub mod error;
pub mod http;
pub mod jose;
pub mod jwk;
pub mod jwt;
pub mod keysource;
pub mod oauth;
pub mod operation;
pub mod practice;
pub mod secret;
pub mod text;
pub mod vault;
mod vocab;

pub use error::ErrorCode;
