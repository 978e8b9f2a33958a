//! The web app's entry point (built for wasm by Trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    caplab::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("caplab-web is the browser app: run `./run.sh serve`, or use the `caplab` CLI.");
    std::process::exit(2);
}
