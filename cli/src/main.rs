//! `crdt-harness`: check the built-in CRDT models from the command line (see [`crdt_cli`]).

fn main() -> std::process::ExitCode {
    crdt_cli::main(crdt_cli::Catalogue::builtin())
}
