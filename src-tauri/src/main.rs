// Release builds on Windows get no extra console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tokenscope_app::run();
}
