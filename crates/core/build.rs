// The built-in rule pack is embedded with include_dir!, which cannot tell cargo about files
// added to or removed from rules/; this makes any change there rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=templates");
}
