fn main() {
    std::process::exit(scimspec::cli::main());
}
