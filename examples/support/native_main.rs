// The `main` of the native-only examples (included by each): on native targets it runs
// the example's `demo::main`; on wasm targets the example builds and does nothing.
fn main() -> httpx::Result<()> {
    #[cfg(not(target_family = "wasm"))]
    demo::main()?;
    Ok(())
}
