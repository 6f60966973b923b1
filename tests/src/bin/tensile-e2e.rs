//! The server under test: `tensile` itself, built inside this package.

fn main() -> anyhow::Result<()> {
    tensile_handlers::cli::main()
}
