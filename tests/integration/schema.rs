//! The committed JSON Schema of the snapshot format must match the types.

use std::path::Path;

#[test]
fn committed_snapshot_schema_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/snapshot.schema.json");
    let committed = std::fs::read_to_string(&path).expect("schemas/snapshot.schema.json exists");
    let generated = trailwarden_core::inventory::snapshot::json_schema();
    assert!(
        committed == generated,
        "schemas/snapshot.schema.json is stale: regenerate it with `cargo run -q -- schema > schemas/snapshot.schema.json`"
    );
}

#[test]
fn snapshot_fixtures_round_trip() {
    // Reading then writing a snapshot loses nothing: what the scanner saves is what it reads.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["tests/fixtures/small-account.json", "examples/demo-org.json"] {
        let path = dir.join(name);
        if !path.exists() && name.starts_with("examples/") {
            panic!("{name} is missing");
        }
        let inventory = trailwarden_core::inventory::snapshot::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let out = tempfile::NamedTempFile::new().unwrap();
        trailwarden_core::inventory::snapshot::write(&inventory, out.path()).unwrap();
        let again = trailwarden_core::inventory::snapshot::read(out.path()).unwrap();
        assert_eq!(inventory, again, "{name} does not round-trip");
    }
}
