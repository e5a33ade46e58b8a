//! Mounts the app. Nothing else lives here.

mod app;
mod features;
mod shared;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
