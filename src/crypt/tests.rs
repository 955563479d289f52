use uuid::Uuid;

use super::*;

fn sealer(id: u8) -> Sealer {
    Sealer::new(&[DataKey::generate(id).unwrap()]).unwrap()
}

#[test]
fn a_sealed_value_opens_with_its_key_and_associated_data() {
    let sealer = sealer(1);
    let row = Uuid::now_v7();
    let sealed = sealer
        .seal(b"ZZQ-answer", &aad("drafts.answers", row))
        .unwrap();
    assert!(!sealed.windows(10).any(|w| w == b"ZZQ-answer"));
    assert_eq!(
        sealer.open(&sealed, &aad("drafts.answers", row)).unwrap(),
        b"ZZQ-answer"
    );
}

#[test]
fn the_same_value_seals_differently_each_time() {
    let sealer = sealer(1);
    let aad = aad("drafts.answers", Uuid::nil());
    assert_ne!(
        sealer.seal(b"same", &aad).unwrap(),
        sealer.seal(b"same", &aad).unwrap()
    );
}

#[test]
fn a_changed_byte_anywhere_is_refused() {
    let sealer = sealer(1);
    let aad = aad("chart_reads.chart", Uuid::nil());
    let sealed = sealer.seal(b"{\"allergies\":[]}", &aad).unwrap();
    for i in 2..sealed.len() {
        let mut tampered = sealed.clone();
        tampered[i] ^= 0x01;
        assert_eq!(
            sealer.open(&tampered, &aad),
            Err(CryptError::Rejected),
            "byte {i}"
        );
    }
    assert_eq!(
        sealer.open(&sealed[..sealed.len() - 1], &aad),
        Err(CryptError::Rejected)
    );
    assert_eq!(sealer.open(&sealed[..10], &aad), Err(CryptError::Malformed));
}

#[test]
fn a_value_moved_to_another_row_or_column_does_not_open() {
    let sealer = sealer(1);
    let row = Uuid::now_v7();
    let sealed = sealer
        .seal(b"Ada", &aad("appointments.patient_name", row))
        .unwrap();
    assert_eq!(
        sealer.open(&sealed, &aad("appointments.patient_name", Uuid::now_v7())),
        Err(CryptError::Rejected)
    );
    assert_eq!(
        sealer.open(&sealed, &aad("appointments.patient_email", row)),
        Err(CryptError::Rejected)
    );
}

#[test]
fn another_data_key_cannot_open_a_value() {
    let sealed = sealer(1).seal(b"secret", b"x").unwrap();
    assert_eq!(sealer(1).open(&sealed, b"x"), Err(CryptError::Rejected));
    assert_eq!(
        sealer(2).open(&sealed, b"x"),
        Err(CryptError::UnknownKey(1))
    );
}

#[test]
fn values_sealed_under_an_older_data_key_still_open_once_a_newer_one_seals() {
    let old = DataKey::generate(1).unwrap();
    let old_copy = DataKey {
        id: 1,
        bytes: old.bytes,
    };
    let before = Sealer::new(&[old]).unwrap();
    let sealed_before = before.seal(b"kept", b"x").unwrap();
    let after = Sealer::new(&[old_copy, DataKey::generate(2).unwrap()]).unwrap();
    let sealed_after = after.seal(b"new", b"x").unwrap();
    assert_eq!(sealed_after[1], 2, "new values name the newest key");
    assert_eq!(after.open(&sealed_before, b"x").unwrap(), b"kept");
    assert_eq!(
        after.lookup("mrn", "12345"),
        before.lookup("mrn", "12345"),
        "search hashes do not change with a new data key"
    );
}

#[test]
fn text_form_round_trips_and_hides_the_value() {
    let sealer = sealer(1);
    let sealed = sealer.seal_text("Zoë ZZQ-name", b"a").unwrap();
    assert!(sealed.starts_with(TEXT_PREFIX) && !sealed.contains("ZZQ"));
    assert_eq!(sealer.open_text(&sealed, b"a").unwrap(), "Zoë ZZQ-name");
    assert_eq!(
        sealer.open_text("Zoë plain", b"a"),
        Err(CryptError::Malformed)
    );
}

#[test]
fn search_hashes_are_equal_for_equal_values_and_keyed() {
    let one = sealer(1);
    assert_eq!(one.lookup("mrn", "A1"), one.lookup("mrn", "A1"));
    assert_ne!(one.lookup("mrn", "A1"), one.lookup("name", "A1"));
    assert_ne!(one.lookup("mrn", "A1"), sealer(1).lookup("mrn", "A1"));
    assert_eq!(one.lookup("mrn", "A1").len(), 64);
}

#[test]
fn a_wrapped_data_key_opens_only_with_its_key_encryption_key_and_id() {
    let kek = KeyEncryptionKey::generate().unwrap();
    let key = DataKey::generate(3).unwrap();
    let wrapped = kek.wrap(&key).unwrap();
    assert_eq!(kek.unwrap_key(3, &wrapped).unwrap().bytes, key.bytes);
    assert_eq!(
        KeyEncryptionKey::generate()
            .unwrap()
            .unwrap_key(3, &wrapped)
            .unwrap_err(),
        CryptError::Rejected
    );
    assert_eq!(
        kek.unwrap_key(4, &wrapped).unwrap_err(),
        CryptError::Rejected
    );
}

#[test]
fn a_key_file_round_trips_and_a_bad_one_is_refused_without_quoting_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.key");
    let (made, created) = KeyEncryptionKey::read_or_create(&path).unwrap();
    assert!(created);
    let (read, created) = KeyEncryptionKey::read_or_create(&path).unwrap();
    assert!(!created);
    assert_eq!(made.0, read.0);
    assert!(made.write_new(&path).is_err(), "never overwrites a key");
    std::fs::write(dir.path().join("bad.key"), "ZZQ-not-a-key").unwrap();
    let error = KeyEncryptionKey::read(&dir.path().join("bad.key")).unwrap_err();
    assert!(!error.to_string().contains("ZZQ"), "{error}");
    assert_eq!(format!("{made:?}"), "KeyEncryptionKey([redacted])");
}
