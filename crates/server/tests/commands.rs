//! The operator commands of the `erecept` binary, run as a process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

fn erecept(database: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_erecept"));
    command
        .env("ERECEPT_DATABASE_URL", database)
        .env("ERECEPT_LOG", "warn");
    command
}

fn shared_data() -> std::path::PathBuf {
    std::env::var_os("ERECEPT_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
        })
}

#[tokio::test]
async fn the_real_npl_rows_import_idempotently_and_are_searchable() {
    let packages = shared_data().join("npl/lakemedel-packages.ndjson");
    assert!(
        packages.exists(),
        "reference data missing: {}",
        packages.display()
    );
    let database = format!(
        "sqlite://{}",
        common::scratch_dir().join("erecept.db").display()
    );

    let first = erecept(&database)
        .args(["import-npl", "--packages"])
        .arg(&packages)
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.contains("import-npl: 5180 new, 0 changed, 0 withdrawn, 0 unchanged"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&first.stderr);
    // Bad rows are reported with their line numbers and skipped.
    for line in ["rad 160:", "rad 709:", "rad 8336:", "rad 8337:"] {
        assert!(stderr.contains(line), "{line} not reported: {stderr}");
    }
    assert!(stderr.contains("8337 rows read, 8328 accepted, 9 skipped"));

    let again = erecept(&database)
        .args(["import-npl", "--packages"])
        .arg(&packages)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("0 new, 0 changed, 0 withdrawn, 5180 unchanged")
    );

    // The service searches what was imported.
    let mut config = common::dev_config();
    config.database_url = database;
    let server = common::start(config).await;
    let snapshot = server.app.drugs.snapshot();
    assert_eq!(
        snapshot.catalog.len(),
        5180,
        "the demo catalogue is not loaded over a real register"
    );
    let hits = snapshot
        .index
        .search("alvedon", &erecept_catalog::SearchOptions::default());
    assert!(!hits.is_empty());
    assert!(hits[0].name().to_lowercase().contains("alvedon"));
    server.stop().await;
}

#[test]
fn the_nightly_zip_imports_with_the_package_rows() {
    use std::io::Write;
    let npl = shared_data().join("npl");
    let zip_path = common::scratch_dir().join("20261204_Total_NPL.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for name in ["10010101000011.xml", "10010101000035.xml"] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(npl.join(name)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    let database = format!(
        "sqlite://{}",
        common::scratch_dir().join("erecept.db").display()
    );

    let output = erecept(&database)
        .args(["import-npl", "--xml"])
        .arg(&zip_path)
        .arg("--packages")
        .arg(npl.join("lakemedel-packages.ndjson"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The bar counts documents; the report names what was read.
    assert!(stderr.contains("2 of 2 documents"), "{stderr}");
    assert!(stderr.contains("2 documents read, 2 products"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The two licence products of the XML beside the list's 5,180.
    assert!(
        stdout.contains("import-npl: 5182 new, 0 changed, 0 withdrawn, 0 unchanged"),
        "{stdout}"
    );

    // A file that is no zip is refused with a message, and nothing is imported.
    let not_zip = common::scratch_dir().join("register.zip");
    std::fs::write(&not_zip, "inte en zip-fil").unwrap();
    let refused = erecept(&database)
        .args(["import-npl", "--xml"])
        .arg(&not_zip)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("not a folder or a readable zip file"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn a_rek_file_with_a_bad_line_is_refused_whole() {
    let database = format!(
        "sqlite://{}",
        common::scratch_dir().join("erecept.db").display()
    );
    let file = common::scratch_dir().join("rek.csv");
    std::fs::write(
        &file,
        "region;id;kommentar\n01;504949;Smärta\n99;123;fel region\n",
    )
    .unwrap();
    let output = erecept(&database)
        .arg("import-rek")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rad 3:"), "{stderr}");
    assert!(stderr.contains("nothing was imported"));
    assert!(
        !stderr.contains("Stack backtrace"),
        "operators get a message, not a backtrace"
    );

    std::fs::write(&file, "01;504949;Smärta\n12;C10AA01;\n").unwrap();
    let output = erecept(&database)
        .arg("import-rek")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("lists of 2 regions replaced"));
}

#[test]
fn check_ids_accepts_the_official_test_numbers_and_names_refused_rows() {
    let file = shared_data().join("persons/testsamordningsnummer.json");
    let output = Command::new(env!("CARGO_BIN_EXE_erecept"))
        .arg("check-ids")
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("check-ids: 2264 valid, 0 refused"));
    let bad = common::scratch_dir().join("ids.json");
    std::fs::write(&bad, r#"["191212121212", "191212121213"]"#).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_erecept"))
        .arg("check-ids")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "rad 2: 191212121213: Personnumret är inte giltigt: kontrollsiffran stämmer inte."
        ),
        "{stdout}"
    );
}
