//! Mounts the app. Nothing else lives here.

mod app;
mod features;
mod shared;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    console_error_panic_hook::set_once();
    smime_bulk_roster::email::set_idn_to_ascii(shared::idn::to_ascii);
    leptos::mount::mount_to_body(app::App);
}
