fn main() {
    // New migration folders must rebuild the binary that embeds them.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=config");
}
