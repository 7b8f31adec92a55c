//! The one integration-test binary: a module per area, helpers in `util/`.

mod authorize_idp;
mod cli;
mod contracts;
mod decode;
mod diff;
mod discovery;
mod encode;
mod export;
mod flow;
mod grants;
mod hidden_text;
mod http;
mod interop;
mod key_sources;
mod keychain;
mod loopback;
mod operations;
mod practice;
mod profiles;
mod properties;
mod secret_input;
mod util;
mod verify;
