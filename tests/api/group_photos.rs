//! A photo question inside a repeating group (issue 17, point 4): each instance takes its own
//! photo, kept through "Add another", "Remove" and other pages, shown to staff under the
//! instance's heading and extracted as its own DocumentReference.

use reqwest::multipart::{Form, Part};

use crate::helpers::{Options, TestApp, answering, location, page, posted};

const FORM: &str = r#"id: photo-groups
version: "1"
title: Medicines
sections:
  - id: meds_page
    title: Your medicines
    items:
      - id: meds
        type: group
        repeats: true
        text: Medicine
        items:
          - { id: med_name, type: string, text: Name of the medicine }
          - { id: label, type: attachment, mime_types: [image/jpeg, image/png], text: Photo of the label }
  - id: last
    title: Anything else
    items:
      - { id: notes, type: text, text: Anything else }
"#;

/// A JPEG `width` wide: the photos are told apart by their size.
fn jpeg(width: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, 20, |x, _| image::Rgb([x as u8, 90, 200]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut std::io::Cursor::new(&mut out), 90)
        .encode_image(&image)
        .unwrap();
    out
}

/// The app with the shipped forms and this one.
async fn app() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("forms");
    copy_dir(&shipped, dir.path());
    std::fs::write(dir.path().join("photo-groups.yaml"), FORM).unwrap();
    let app = TestApp::spawn_with(Options {
        env: vec![("INTAKE_FORMS_DIR", dir.path().display().to_string())],
        ..Options::default()
    })
    .await;
    (app, dir)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Page 0 posted as a multipart form: `instances` as `(number, name, photo)`, then `nav`.
async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    instances: &[(usize, &str, Option<Vec<u8>>)],
    nav: &str,
) -> reqwest::Response {
    let mut form = Form::new().text("csrf", token.to_owned());
    for (index, name, photo) in instances {
        form = form
            .text("g.meds", index.to_string())
            .text(format!("a.meds.{index}.med_name"), (*name).to_owned());
        if let Some(photo) = photo {
            form = form.part(
                format!("a.meds.{index}.label"),
                Part::bytes(photo.clone())
                    .file_name("label.jpg")
                    .mime_str("image/jpeg")
                    .unwrap(),
            );
        }
    }
    browser
        .post(app.url("/intake/page/0"))
        .multipart(form.text("nav", nav.to_owned()))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_instance_of_a_repeating_group_keeps_its_own_photo_through_add_remove_and_pages() {
    let (app, _forms) = app().await;
    let (browser, token) = answering(&app, "MRN-1001", "1958-04-12", "photo-groups").await;
    let opened = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        opened.contains(r#"enctype="multipart/form-data""#),
        "{opened}"
    );
    assert!(
        opened.contains(r#"type="file" id="f-meds-0-label" name="a.meds.0.label""#),
        "{opened}"
    );

    // Aspirin with its label, then "Add another".
    let added = post(
        &app,
        &browser,
        &token,
        &[(0, "Aspirin", Some(jpeg(41)))],
        "add:meds",
    )
    .await;
    assert_eq!(location(&added), "/intake/page/0?add=meds");
    let two = page(&browser, &app.url(&location(&added))).await;
    assert_eq!(two.matches("A photo was sent").count(), 1, "{two}");
    assert!(two.contains(r#"id="f-meds-1-label" name="a.meds.1.label""#));

    // Metformin with its label; a third medicine known by its photo alone; on to the next page.
    let next = post(
        &app,
        &browser,
        &token,
        &[
            (0, "Aspirin", None),
            (1, "Metformin", Some(jpeg(42))),
            (2, "", Some(jpeg(43))),
        ],
        "next",
    )
    .await;
    assert_eq!(location(&next), "/intake/page/1");
    let back = page(&browser, &app.url("/intake/page/0")).await;
    assert_eq!(
        back.matches("A photo was sent").count(),
        3,
        "each instance kept its photo, the one with only a photo too: {back}"
    );

    // Removing Aspirin: Metformin (now first) and the photo-only medicine keep theirs.
    let removed = post(
        &app,
        &browser,
        &token,
        &[(0, "Aspirin", None), (1, "Metformin", None), (2, "", None)],
        "remove:meds:0",
    )
    .await;
    assert_eq!(location(&removed), "/intake/page/0?focus=f-meds-0");
    let after = page(&browser, &app.url("/intake/page/0")).await;
    assert!(!after.contains("Aspirin"));
    assert!(after.contains(r#"name="a.meds.0.med_name" value="Metformin""#));
    assert_eq!(after.matches("A photo was sent").count(), 2, "{after}");

    // A new photo for the second instance after the renumbering replaces its own, nobody else's.
    let replaced = post(
        &app,
        &browser,
        &token,
        &[(0, "Metformin", None), (1, "", Some(jpeg(44)))],
        "next",
    )
    .await;
    assert_eq!(location(&replaced), "/intake/page/1");
    let last = browser
        .post(app.url("/intake/page/1"))
        .form(&[("csrf", token.as_str()), ("a.notes", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&last), "/intake/review");
    let review = page(&browser, &app.url("/intake/review")).await;
    assert_eq!(review.matches("Photo sent").count(), 2, "{review}");
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done");

    // Staff see each photo under its instance's heading, the right one each.
    let staff = app.signed_in("clinician").await;
    let list = page(&staff, &app.url("/clinician")).await;
    let id = list
        .split("/clinician/submissions/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let summary = page(&staff, &app.url(&format!("/clinician/submissions/{id}"))).await;
    let photos: Vec<(String, String)> = summary
        .split(r#"<img src=""#)
        .skip(1)
        .filter_map(|rest| {
            let src = rest.split('"').next()?;
            let alt = rest.split(r#"alt=""#).nth(1)?.split('"').next()?;
            src.starts_with("/staff/files/")
                .then(|| (alt.to_owned(), src.to_owned()))
        })
        .collect();
    let mut widths = Vec::new();
    for (alt, src) in &photos {
        let bytes = staff
            .get(app.url(src))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        widths.push((
            alt.clone(),
            image::load_from_memory(&bytes).unwrap().width(),
        ));
    }
    assert_eq!(
        widths,
        [
            ("Medicine 1: Photo of the label".to_owned(), 42),
            ("Medicine 2: Photo of the label".to_owned(), 44),
        ],
        "{summary}"
    );
    // Each is its own DocumentReference, held for staff as photos are.
    for title in [
        "Medicine 1: Photo of the label",
        "Medicine 2: Photo of the label",
    ] {
        assert!(summary.contains(&format!("Photo: {title}")), "{summary}");
    }
    assert!(
        posted(&app, "DocumentReference").is_empty(),
        "held, not posted"
    );
    app.stop().await;
}
