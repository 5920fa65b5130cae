//! Running a processor: the pure `run` core and the `as_main` stdin/stdout wrapper.

use std::any::Any;
use std::io::{Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use crate::resource_list::{InputError, ResourceList};
use crate::results::Error;

/// A KRM function: changes `rl.items` and/or adds to `rl.results`.
///
/// Returning `Err` fails the function (the contract, see docs/sdk.md): the output is the input's
/// items and functionConfig unchanged, the results added so far, then `Err` as an error result;
/// exit code 1. Any `FnMut(&mut ResourceList) -> Result<(), Error>` is a processor.
pub trait Processor {
    fn process(&mut self, rl: &mut ResourceList) -> Result<(), Error>;
}

impl<F> Processor for F
where
    F: FnMut(&mut ResourceList) -> Result<(), Error>,
{
    fn process(&mut self, rl: &mut ResourceList) -> Result<(), Error> {
        self(rl)
    }
}

/// Run `processor` on the ResourceList in `input` (JSON or YAML) and return the output
/// ResourceList (in the input's format) and the exit code (1 when a result is an error).
///
/// When the processor returns `Err` the output is the input's items unchanged plus the results
/// it added and the error; a panic is caught where the target unwinds (native builds) and gives
/// the input's items unchanged plus one error result. `Err` only when `input` is not a
/// ResourceList at all.
pub fn run<P: Processor>(mut processor: P, input: &str) -> Result<(String, i32), InputError> {
    let (mut rl, format) = ResourceList::parse(input)?;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| processor.process(&mut rl)));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            // Half-done edits are not written: the input again, with this run's results.
            let (mut unchanged, _) = ResourceList::parse(input)?;
            unchanged.results = rl.results;
            unchanged.results.push(error.into_result());
            rl = unchanged;
        }
        Err(payload) => {
            let message = format!("function panicked: {}", panic_text(payload.as_ref()));
            return Ok(failure_output(input, &message));
        }
    }
    let code = rl.results.exit_code();
    match rl.render(format) {
        Ok(text) => Ok((text, code)),
        Err(message) => Err(InputError { message }),
    }
}

/// The input's ResourceList, unchanged, plus one error result saying `message`; exit code 1.
/// Used when the processor panicked, so that half-done changes are not written out.
fn failure_output(input: &str, message: &str) -> (String, i32) {
    match ResourceList::parse(input) {
        Ok((mut rl, format)) => {
            rl.results.error(message);
            match rl.render(format) {
                Ok(text) => (text, 1),
                Err(_) => (String::new(), 1),
            }
        }
        Err(_) => (String::new(), 1),
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

fn write_stdout(text: &str) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // Nothing useful is left to do when stdout is gone; the exit code still tells.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Read a ResourceList from stdin, run `processor`, write the result to stdout and exit with
/// code 1 when a result is an error (returns normally for exit code 0).
///
/// On wasm32-wasi a panic aborts instead of unwinding, so `catch_unwind` cannot catch it. A panic
/// hook therefore writes the input's items unchanged plus an error result naming the panic's
/// message and place, then exits 1 (on every target, so native and wasm builds behave alike).
pub fn as_main<P: Processor>(processor: P) {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("cannot read the ResourceList from stdin: {e}");
        std::process::exit(1);
    }
    let input = Arc::new(input);
    let hook_input = Arc::clone(&input);
    panic::set_hook(Box::new(move |info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let message = format!("function panicked{place}: {}", panic_text(info.payload()));
        eprintln!("{message}");
        let (text, code) = failure_output(&hook_input, &message);
        write_stdout(&text);
        std::process::exit(code);
    }));
    match run(processor, &input) {
        Ok((text, code)) => {
            write_stdout(&text);
            if code != 0 {
                std::process::exit(code);
            }
        }
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(1);
        }
    }
}
