// include_dir! cannot tell cargo which files it read: rebuild when the built-in data changes.
fn main() {
    println!("cargo:rerun-if-changed=suites");
    println!("cargo:rerun-if-changed=schemas");
}
