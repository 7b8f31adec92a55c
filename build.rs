//! Lays out the release CLI's code for a short run: the functions a local decode, verify, diff
//! or encode executes are linked next to each other (the list is `src/bin/tokenscope/
//! symbol-order.txt`, written by `scripts/symbol-order.sh`). Scattered over an 8 MB text segment
//! they cost one page fault per 64 KiB window touched, a quarter of a millisecond-long run's
//! faults (benches/compare.sh; README, Performance).
//!
//! Only lld reads a symbol ordering file, so the flag is passed only where rustc links with its
//! own lld: x86_64 Linux from Rust 1.90 on, with no linker chosen in the configuration or
//! RUSTFLAGS. `TOKENSCOPE_SYMBOL_ORDER=0` turns it off. Names the binary no longer has (after a
//! dependency or toolchain update) are skipped silently; the build is the same, only less compact
//! until the list is written again.

use std::env;
use std::process::Command;

const ORDER_FILE: &str = "src/bin/tokenscope/symbol-order.txt";

fn main() {
    println!("cargo::rerun-if-changed={ORDER_FILE}");
    println!("cargo::rerun-if-env-changed=TOKENSCOPE_SYMBOL_ORDER");
    if !links_with_rust_lld() || env::var("TOKENSCOPE_SYMBOL_ORDER").as_deref() == Ok("0") {
        return;
    }
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let order = std::path::Path::new(&manifest_dir).join(ORDER_FILE);
    // `-Wl,` splits its argument at commas.
    if !order.is_file() || order.to_string_lossy().contains(',') {
        return;
    }
    println!(
        "cargo::rustc-link-arg-bin=tokenscope=-Wl,--symbol-ordering-file={}",
        order.display()
    );
    println!("cargo::rustc-link-arg-bin=tokenscope=-Wl,--no-warn-symbol-ordering");
}

/// Whether this is a release build that rustc links with its bundled lld (the default for
/// `x86_64-unknown-linux-gnu` since Rust 1.90) rather than the system linker.
fn links_with_rust_lld() -> bool {
    let var = |name: &str| env::var(name).unwrap_or_default();
    if var("PROFILE") != "release" || var("TARGET") != "x86_64-unknown-linux-gnu" {
        return false;
    }
    // A configured linker, or any linker flag (-C linker, linker-flavor, linker-features,
    // link-self-contained), may mean another linker: leave the layout to it.
    if env::var_os("RUSTC_LINKER").is_some() || var("CARGO_ENCODED_RUSTFLAGS").contains("link") {
        return false;
    }
    rustc_minor_version().is_some_and(|minor| minor >= 90)
}

/// The minor version of the compiler cargo runs (`rustc 1.95.0 (…)`). One line of `rustc -V`;
/// a version-parsing crate would be a build dependency for this alone.
fn rustc_minor_version() -> Option<u32> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("-V").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}
