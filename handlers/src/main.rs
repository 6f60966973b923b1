//! The `tensile` binary.

fn main() -> anyhow::Result<()> {
    tensile_handlers::cli::main()
}
