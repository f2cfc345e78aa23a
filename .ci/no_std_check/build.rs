//! Links the program without the C runtime's start files: `_start` is ours (src/main.rs).
//! The C library stays on the link line only for the memory functions (`memcpy`, ...)
//! that compiled Rust code calls on every target; `.ci/run` checks that nothing else of
//! it is used.
fn main() {
    println!("cargo:rustc-link-arg-bins=-nostartfiles");
    println!("cargo:rustc-link-arg-bins=-lc");
}
