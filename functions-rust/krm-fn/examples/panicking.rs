//! A function that panics after changing an item: shows (and lets the tests check) that a panic
//! still gives a ResourceList with the items unchanged, an error result and exit code 1,
//! also on wasm32-wasi where panics abort instead of unwinding.

use krm_fn::{Error, ResourceList};

fn panicking(rl: &mut ResourceList) -> Result<(), Error> {
    for item in &mut rl.items {
        item.set_namespace("half-done")?;
    }
    panic!("deliberate panic with {} items", rl.items.len());
}

fn main() {
    krm_fn::as_main(panicking);
}
