//! Min profil over HTTP against the real server: change the e-mail address and mobile number
//! (the old address is told), the password (other sessions end; guessing is throttled) and the
//! billing party. The workplaces: add one (refused first with the
//! Swedish message of a wrong arbetsplatskod), see it listed and offered as "Arbetsplats" on
//! Nytt recept, edit it, remove it (never the last one); another account's workplace is not
//! found; at most 20 workplaces; not logged in, the pages lead to the start page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, TestPrescriber, location};

use erecept_app::profile::MAX_WORKPLACES;
use erecept_domain::{County, WorkplaceCode, WorkplaceCodeError};
use erecept_server::Running;
use erecept_store::{AccountId, Workplace};
use reqwest::StatusCode;

const NEW: &str = "/min-profil/arbetsplatser/ny";

async fn logged_in(server: &Running) -> (AccountId, Browser) {
    let doctor = TestPrescriber::doctor();
    let id = doctor.create(server).await;
    let browser = Browser::new(server);
    let login = browser.login("19121212-1212", doctor.password).await;
    assert_eq!(location(&login), "/min-profil");
    (id, browser)
}

async fn workplaces(server: &Running, id: AccountId) -> Vec<Workplace> {
    server.app.store.workplaces(id).await.unwrap()
}

/// The fields of a complete workplace form, with `changes` put in.
fn form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("arbetsplatsens_namn", "Vårdcentralen Ystad"),
        ("arbetsplatskod", "1212345"),
        ("adress", "Stortorget 3"),
        ("postnummer", "27139"),
        ("ort", "Ystad"),
        ("telefon", "0411-55 55 55"),
        ("region", ""),
        ("journalsystem", ""),
    ];
    for (name, value) in changes {
        let field = fields.iter_mut().find(|(n, _)| n == name).unwrap();
        field.1 = value;
    }
    fields
}

#[tokio::test]
async fn a_prescriber_adds_a_workplace_chooses_it_and_edits_it() {
    let server = common::start(common::dev_config()).await;
    let (id, browser) = logged_in(&server).await;
    let lund = workplaces(&server, id).await.remove(0);

    let profile = browser.page("/min-profil").await;
    assert!(
        profile.contains(&format!("<a href=\"{NEW}\">Lägg till arbetsplats</a>")),
        "{profile}"
    );
    assert!(
        profile.contains(&format!(
            "<a href=\"/min-profil/arbetsplatser/{}\">Ändra<span class=\"visually-hidden\"> Mottagningen i Lund</span></a>",
            lund.id
        )),
        "each Ändra link names its workplace: {profile}"
    );
    // One workplace: Nytt recept has nothing to choose.
    assert!(
        !browser
            .page("/recept/nytt")
            .await
            .contains("<label for=\"arbetsplats\">Arbetsplats</label>")
    );

    let empty = browser.get(NEW).await;
    assert_eq!(empty.status(), StatusCode::OK);
    let empty = empty.text().await.unwrap();
    for label in [
        "Arbetsplatsens namn",
        "Arbetsplatskod",
        "Adress",
        "Postnummer",
        "Ort",
        "Telefon",
        "Region",
        "Journalsystem",
    ] {
        assert!(empty.contains(&format!("\">{label}</label>")), "{label}");
    }
    assert!(empty.contains("<h1>Lägg till arbetsplats</h1>"));
    assert!(empty.contains(&format!("action=\"{NEW}\"")));
    assert!(empty.contains("<button type=\"submit\">Spara</button>"));

    // A code that does not begin with a county code: the message beside the field and in the
    // summary, what was typed kept, nothing stored.
    let wrong = browser
        .submit(NEW, NEW, &form(&[("arbetsplatskod", "9912345")]))
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    let message = WorkplaceCodeError::UnknownCounty.to_string();
    assert!(message.contains(
        "Arbetsplatskoden inleds med länskoden. Ex 01 för Region Stockholm, 12 för Region Skåne"
    ));
    assert!(
        wrong.contains(&format!(
            "<p class=\"field-error\" id=\"arbetsplatskod-error\">{message}</p>"
        )),
        "{wrong}"
    );
    assert!(wrong.contains("Kontrollera uppgifterna"));
    assert!(wrong.contains(&format!("<a href=\"#arbetsplatskod\">{message}</a>")));
    assert!(wrong.contains("<title>Fel: Lägg till arbetsplats"));
    for kept in [
        "value=\"9912345\"",
        "value=\"Vårdcentralen Ystad\"",
        "value=\"27139\"",
    ] {
        assert!(wrong.contains(kept), "{kept} kept");
    }
    assert_eq!(workplaces(&server, id).await.len(), 1);

    // Right: stored, and Min profil confirms it.
    let saved = browser.submit(NEW, NEW, &form(&[])).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let listed = workplaces(&server, id).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], lund, "the first workplace is as it was");
    let ystad = listed[1].clone();
    assert_eq!(
        ystad,
        Workplace {
            id: ystad.id,
            name: "Vårdcentralen Ystad".into(),
            code: WorkplaceCode::parse("1212345").unwrap(),
            address: "Stortorget 3".into(),
            postal_code: "271 39".into(),
            city: "Ystad".into(),
            phone: "0411-55 55 55".into(),
            county: County::from_code("12").unwrap(),
            journal_system: None,
        }
    );
    assert_eq!(location(&saved), format!("/min-profil?sparad={}", ystad.id));
    let profile = browser.page(location(&saved)).await;
    assert!(profile.contains("Arbetsplatsen Vårdcentralen Ystad är sparad."));
    assert!(profile.contains("<td>Vårdcentralen Ystad</td><td>1212345</td><td>Region Skåne</td><td>Stortorget 3, 271 39 Ystad</td>"), "{profile}");
    assert!(!browser.page("/min-profil").await.contains("är sparad"));

    // Now Nytt recept offers both as "Arbetsplats".
    let desk = browser.page("/recept/nytt").await;
    assert!(
        desk.contains("<label for=\"arbetsplats\">Arbetsplats</label>"),
        "{desk}"
    );
    assert!(desk.contains(&format!(
        "<option value=\"{}\">Vårdcentralen Ystad (1212345)</option>",
        ystad.id
    )));
    assert!(desk.contains(&format!(
        "<option value=\"{}\" selected>Mottagningen i Lund (1234567)</option>",
        lund.id
    )));

    // Edit it: the form shows what is stored.
    let edit_path = format!("/min-profil/arbetsplatser/{}", ystad.id);
    let edit = browser.page(&edit_path).await;
    assert!(edit.contains("<h1>Ändra arbetsplats</h1>"));
    assert!(edit.contains(&format!("action=\"{edit_path}\"")));
    for shown in [
        "value=\"Vårdcentralen Ystad\"",
        "value=\"1212345\"",
        "value=\"271 39\"",
        "<option value=\"12\" selected>Region Skåne</option>",
    ] {
        assert!(edit.contains(shown), "{shown}: {edit}");
    }

    // A wrong change is refused and kept on screen; nothing is stored.
    let refused = browser
        .submit(
            &edit_path,
            &edit_path,
            &form(&[
                ("arbetsplatsens_namn", "Ystads vårdcentral"),
                ("postnummer", ""),
            ]),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("<p class=\"field-error\" id=\"postnummer-error\">Fyll i postnumret.</p>")
    );
    assert!(refused.contains("value=\"Ystads vårdcentral\""));
    assert_eq!(workplaces(&server, id).await[1], ystad);

    let changed = browser
        .submit(
            &edit_path,
            &edit_path,
            &form(&[
                ("arbetsplatsens_namn", "Ystads vårdcentral"),
                ("region", "13"),
                ("journalsystem", "Demojournal Praktik"),
            ]),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&changed),
        format!("/min-profil?sparad={}", ystad.id)
    );
    let listed = workplaces(&server, id).await;
    assert_eq!(listed.len(), 2, "edited, not added");
    assert_eq!(listed[0], lund);
    assert_eq!(
        listed[1],
        Workplace {
            name: "Ystads vårdcentral".into(),
            county: County::from_code("13").unwrap(),
            journal_system: Some("Demojournal Praktik".into()),
            ..ystad.clone()
        }
    );
    let profile = browser.page(location(&changed)).await;
    assert!(profile.contains("Arbetsplatsen Ystads vårdcentral är sparad."));
    assert!(profile.contains("<td>Ystads vårdcentral</td><td>1212345</td><td>Region Halland</td>"));
    server.stop().await;
}

#[tokio::test]
async fn a_workplace_is_removed_but_never_the_last() {
    let server = common::start(common::dev_config()).await;
    let (id, browser) = logged_in(&server).await;
    let lund = workplaces(&server, id).await.remove(0);
    let lund_path = format!("/min-profil/arbetsplatser/{}", lund.id);
    let remove_lund = format!("{lund_path}/ta-bort");

    // The only workplace: the edit page offers removal, which keeps it and says why.
    let edit = browser.page(&lund_path).await;
    assert!(edit.contains("<h2>Ta bort arbetsplatsen</h2>"), "{edit}");
    assert!(edit.contains(&format!("action=\"{remove_lund}\"")));
    assert!(
        edit.contains("<button type=\"submit\" class=\"secondary\">Ta bort arbetsplatsen</button>")
    );
    assert!(
        !browser.page(NEW).await.contains("Ta bort arbetsplatsen"),
        "nothing to remove yet"
    );
    let kept = browser.submit(&lund_path, &remove_lund, &[]).await;
    assert_eq!(kept.status(), StatusCode::CONFLICT);
    let kept = kept.text().await.unwrap();
    assert!(kept.contains(
        "Du behöver minst en arbetsplats för att kunna förskriva. Lägg till den nya arbetsplatsen först, och ta sedan bort den här."
    ), "{kept}");
    assert!(
        kept.contains("value=\"Mottagningen i Lund\""),
        "the form is still there"
    );
    assert_eq!(workplaces(&server, id).await, vec![lund.clone()]);

    // With a second one, the first can go: Min profil confirms it and lists only the other,
    // Nytt recept no longer offers it.
    let added = browser.submit(NEW, NEW, &form(&[])).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let removed = browser.submit(&lund_path, &remove_lund, &[]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&removed), "/min-profil?borttagen");
    let profile = browser.page(location(&removed)).await;
    assert!(profile.contains("Arbetsplatsen är borttagen."), "{profile}");
    assert!(!profile.contains("Mottagningen i Lund"));
    assert!(profile.contains("<td>Vårdcentralen Ystad</td>"));
    let left = workplaces(&server, id).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].name, "Vårdcentralen Ystad");
    assert!(
        !browser
            .page("/recept/nytt")
            .await
            .contains("Mottagningen i Lund")
    );

    // Gone: its pages are not found, and removing it again changes nothing.
    assert_eq!(
        browser.get(&lund_path).await.status(),
        StatusCode::NOT_FOUND
    );
    let again = browser.submit("/min-profil", &remove_lund, &[]).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(workplaces(&server, id).await, left);
    server.stop().await;
}

#[tokio::test]
async fn a_prescriber_changes_e_mail_and_mobile_and_the_old_address_is_told() {
    const CONTACT: &str = "/min-profil/kontaktuppgifter";
    let server = common::start(common::dev_config()).await;
    let (id, browser) = logged_in(&server).await;
    let mails_before = server.app.store.recent_mail(100).await.unwrap().len();

    let profile = browser.page("/min-profil").await;
    assert!(profile.contains(&format!("<a href=\"{CONTACT}\">Ändra kontaktuppgifter</a>")));
    let form = browser.page(CONTACT).await;
    assert!(form.contains("<h1>Ändra kontaktuppgifter</h1>"));
    for label in ["E-post", "Upprepa e-post", "Mobiltelefon"] {
        assert!(form.contains(&format!("\">{label}</label>")), "{label}");
    }
    assert!(form.contains("value=\"tolvan@example.se\""), "{form}");
    assert!(form.contains("value=\"070-1234567\""));

    // Wrong: the messages of registration step 3, what was typed kept, nothing changed or sent.
    let wrong = browser
        .submit(
            CONTACT,
            CONTACT,
            &[
                ("epost", "tolvan@ny.example"),
                ("upprepa_epost", "tolvan@nytt.example"),
                ("mobiltelefon", "070-ABC"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("<title>Fel: Ändra kontaktuppgifter"));
    assert!(wrong.contains("E-postadresserna är inte lika. Skriv samma adress i båda fälten."));
    assert!(wrong.contains("Skriv mobilnumret med siffror, t.ex. 070-123 45 67."));
    assert!(wrong.contains("value=\"tolvan@nytt.example\""));
    let empty = browser
        .submit(
            CONTACT,
            CONTACT,
            &[("epost", ""), ("upprepa_epost", ""), ("mobiltelefon", "")],
        )
        .await
        .text()
        .await
        .unwrap();
    for message in [
        "Fyll i din e-postadress.",
        "Skriv e-postadressen en gång till.",
        "Fyll i ditt mobilnummer.",
    ] {
        assert!(empty.contains(message), "{message}");
    }
    let account = server.app.store.account(id).await.unwrap().unwrap();
    assert_eq!(
        (account.email.as_str(), account.mobile.as_str()),
        ("tolvan@example.se", "070-1234567")
    );
    assert_eq!(
        server.app.store.recent_mail(100).await.unwrap().len(),
        mails_before
    );

    // Right: stored, confirmed on Min profil, and the address used until now is told.
    let saved = browser
        .submit(
            CONTACT,
            CONTACT,
            &[
                ("epost", " tolvan@ny.example "),
                ("upprepa_epost", "TOLVAN@ny.example"),
                ("mobiltelefon", "070-765 43 21"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), "/min-profil?kontakt");
    let profile = browser.page(location(&saved)).await;
    assert!(profile.contains("Kontaktuppgifterna är sparade."));
    assert!(profile.contains("<dd>tolvan@ny.example</dd>"), "{profile}");
    assert!(profile.contains("<dd>070-765 43 21</dd>"));
    let account = server.app.store.account(id).await.unwrap().unwrap();
    assert_eq!(account.email, "tolvan@ny.example");
    assert_eq!(account.mobile, "070-765 43 21");
    let mails = server.app.store.recent_mail(100).await.unwrap();
    assert_eq!(mails.len(), mails_before + 1);
    let notice = &mails[0];
    assert_eq!(notice.to, "tolvan@example.se", "the old address is told");
    assert_eq!(
        notice.subject,
        "Dina kontaktuppgifter i eRecept har ändrats"
    );
    assert!(notice.text_body.contains("E-post: tolvan@ny.example"));

    // Saved again unchanged: nothing is sent.
    let again = browser
        .submit(
            CONTACT,
            CONTACT,
            &[
                ("epost", "tolvan@ny.example"),
                ("upprepa_epost", "tolvan@ny.example"),
                ("mobiltelefon", "070-765 43 21"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        server.app.store.recent_mail(100).await.unwrap().len(),
        mails_before + 1
    );

    // Not logged in, the page leads to the start page and nothing changes.
    let stranger = Browser::new(&server);
    assert_eq!(location(&stranger.get(CONTACT).await), "/");
    let posted = stranger
        .submit(
            "/",
            CONTACT,
            &[
                ("epost", "kapad@example.se"),
                ("upprepa_epost", "kapad@example.se"),
                ("mobiltelefon", "070-000 00 00"),
            ],
        )
        .await;
    assert_eq!(location(&posted), "/");
    assert_eq!(
        server.app.store.account(id).await.unwrap().unwrap().email,
        "tolvan@ny.example"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_prescriber_changes_the_password_and_other_sessions_end() {
    const PASSWORD: &str = "/min-profil/losenord";
    let server = common::start(common::dev_config()).await;
    let doctor = TestPrescriber::doctor();
    let (_, browser) = logged_in(&server).await;
    // The same prescriber logged in on another computer.
    let elsewhere = Browser::new(&server);
    elsewhere.login("19121212-1212", doctor.password).await;
    assert_eq!(elsewhere.get("/min-profil").await.status(), StatusCode::OK);

    assert!(
        browser
            .page("/min-profil")
            .await
            .contains(&format!("<a href=\"{PASSWORD}\">Byt lösenord</a>"))
    );
    let form = browser.page(PASSWORD).await;
    assert!(form.contains("<h1>Byt lösenord</h1>"));
    for label in ["Nuvarande lösenord", "Nytt lösenord", "Upprepa lösenord"] {
        assert!(form.contains(&format!("\">{label}</label>")), "{label}");
    }
    let change = |current: &'static str, new: &'static str, repeated: &'static str| {
        let browser = &browser;
        async move {
            browser
                .submit(
                    PASSWORD,
                    PASSWORD,
                    &[
                        ("nuvarande_losenord", current),
                        ("nytt_losenord", new),
                        ("upprepa_losenord", repeated),
                    ],
                )
                .await
        }
    };

    // Refused, each with its message beside the field; nothing typed is shown again.
    let empty = change("", "", "").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let empty = empty.text().await.unwrap();
    for message in [
        "Fyll i det lösenord du loggar in med.",
        "Fyll i ett nytt lösenord.",
        "Skriv samma lösenord en gång till.",
    ] {
        assert!(empty.contains(message), "{message}");
    }
    let wrong = change("inte-mitt-losenord", "Gurkmeja-77", "Gurkmeja-77")
        .await
        .text()
        .await
        .unwrap();
    assert!(wrong.contains(
        "<p class=\"field-error\" id=\"nuvarande_losenord-error\">Lösenordet stämmer inte. Skriv det lösenord du loggar in med.</p>"
    ), "{wrong}");
    assert!(
        !wrong.contains("Gurkmeja-77"),
        "passwords are never shown again"
    );
    let mismatch = change(doctor.password, "Gurkmeja-77", "Gurkmeja-78")
        .await
        .text()
        .await
        .unwrap();
    assert!(mismatch.contains(&format!(
        "id=\"upprepa_losenord-error\">{}</p>",
        erecept_app::NewPasswordError::Mismatch
    )));
    let short = change(doctor.password, "kort", "kort")
        .await
        .text()
        .await
        .unwrap();
    assert!(short.contains("id=\"nytt_losenord-error\">"), "{short}");
    let mails_before = server.app.store.recent_mail(100).await.unwrap().len();

    // Right: back to Min profil, which says so; the other computer is logged out; the
    // confirmation is mailed; the new password logs in and the old does not.
    let changed = change(doctor.password, "Gurkmeja-77", "Gurkmeja-77").await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&changed), "/min-profil?losenord");
    let profile = browser.page(location(&changed)).await;
    assert!(
        profile.contains("Lösenordet är bytt. Dina inloggningar på andra datorer har avslutats.")
    );
    assert_eq!(location(&elsewhere.get("/min-profil").await), "/");
    let mails = server.app.store.recent_mail(100).await.unwrap();
    assert_eq!(mails.len(), mails_before + 1);
    assert_eq!(mails[0].subject, "Ditt lösenord till eRecept har ändrats");
    assert_eq!(mails[0].to, "tolvan@example.se");
    let again = Browser::new(&server);
    let old = again.login("19121212-1212", doctor.password).await;
    assert_ne!(
        old.status(),
        StatusCode::SEE_OTHER,
        "the old password no longer logs in"
    );
    assert!(
        old.text()
            .await
            .unwrap()
            .contains("Fel personnummer eller lösenord.")
    );
    let again = Browser::new(&server);
    assert_eq!(
        location(&again.login("19121212-1212", "Gurkmeja-77").await),
        "/min-profil"
    );
    server.stop().await;
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled() {
    const PASSWORD: &str = "/min-profil/losenord";
    let server = common::start(common::dev_config()).await;
    let doctor = TestPrescriber::doctor();
    let (id, browser) = logged_in(&server).await;
    let before = server
        .app
        .store
        .account(id)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    for _ in 0..5 {
        let wrong = browser
            .submit(
                PASSWORD,
                PASSWORD,
                &[
                    ("nuvarande_losenord", "gissning"),
                    ("nytt_losenord", "Gurkmeja-77"),
                    ("upprepa_losenord", "Gurkmeja-77"),
                ],
            )
            .await;
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("Lösenordet stämmer inte.")
        );
    }
    // Now even the right one is refused for a while, and nothing changes.
    let refused = browser
        .submit(
            PASSWORD,
            PASSWORD,
            &[
                ("nuvarande_losenord", doctor.password),
                ("nytt_losenord", "Gurkmeja-77"),
                ("upprepa_losenord", "Gurkmeja-77"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("För många misslyckade inloggningsförsök.")
    );
    assert_eq!(
        server
            .app
            .store
            .account(id)
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        before
    );
    server.stop().await;
}

#[tokio::test]
async fn a_prescriber_changes_the_billing_party_to_the_employer() {
    const BILLING: &str = "/min-profil/betalningsansvarig";
    let server = common::start(common::dev_config()).await;
    let (id, browser) = logged_in(&server).await;
    let profile = browser.page("/min-profil").await;
    assert!(profile.contains("<h2>Betalningsansvarig</h2>"));
    assert!(
        profile.contains("Tolvan Tolvansson (Privatperson)"),
        "{profile}"
    );
    assert!(profile.contains(&format!(
        "<a href=\"{BILLING}\">Ändra betalningsansvarig</a>"
    )));

    let form = browser.page(BILLING).await;
    assert!(form.contains("<h1>Ändra betalningsansvarig</h1>"));
    for label in [
        "Använd mina förskrivaruppgifter",
        "Namn *",
        "Personnummer eller organisationsnummer *",
        "Adress *",
        "Postnummer *",
        "Ort *",
        "E-post *",
        "Referens",
    ] {
        assert!(form.contains(&format!("\">{label}</label>")), "{label}");
    }
    assert!(form.contains("value=\"Stora Södergatan 1\""));
    assert!(form.contains("value=\"private\" checked"), "{form}");

    let employer = |identity: &'static str| {
        vec![
            ("typ", "employer"),
            ("namn", "Vårdbolaget AB"),
            ("identitet", identity),
            ("adress", "Box 7"),
            ("postnummer", "11122"),
            ("ort", "Stockholm"),
            ("epost", "faktura@vardbolaget.example"),
            ("referens", "Kostnadsställe 12"),
        ]
    };
    // An employer needs an organisationsnummer: refused beside the field, typed text kept.
    let wrong = browser
        .submit(BILLING, BILLING, &employer("19121212-1212"))
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("id=\"identitet-error\""), "{wrong}");
    assert!(wrong.contains("value=\"Vårdbolaget AB\""));
    assert_eq!(
        server
            .app
            .store
            .billing_party(id)
            .await
            .unwrap()
            .unwrap()
            .kind,
        erecept_store::BillingKind::Private
    );

    let saved = browser
        .submit(BILLING, BILLING, &employer("556677-8899"))
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), "/min-profil?betalningsansvarig");
    let profile = browser.page(location(&saved)).await;
    assert!(profile.contains("Betalningsansvarig är sparad."));
    assert!(profile.contains("Vårdbolaget AB (Arbetsgivare)"));
    assert!(profile.contains("Referens: Kostnadsställe 12"));
    let stored = server.app.store.billing_party(id).await.unwrap().unwrap();
    assert_eq!(stored.kind, erecept_store::BillingKind::Employer);
    assert_eq!(stored.identity, "556677-8899");
    assert_eq!(stored.postal_code, "111 22");

    // "Använd mina förskrivaruppgifter" fills in the prescriber's own name, number and e-mail.
    let mine = browser
        .submit(
            BILLING,
            BILLING,
            &[
                ("anvand_mina_uppgifter", "ja"),
                ("typ", ""),
                ("namn", ""),
                ("identitet", ""),
                ("adress", "Stora Södergatan 1"),
                ("postnummer", "222 23"),
                ("ort", "Lund"),
                ("epost", ""),
                ("referens", ""),
            ],
        )
        .await;
    assert_eq!(mine.status(), StatusCode::SEE_OTHER);
    let stored = server.app.store.billing_party(id).await.unwrap().unwrap();
    assert_eq!(stored.kind, erecept_store::BillingKind::Private);
    assert_eq!(stored.name, "Tolvan Tolvansson");
    assert_eq!(stored.email, "tolvan@example.se");

    // Not logged in: to the start page, nothing changed.
    let stranger = Browser::new(&server);
    assert_eq!(location(&stranger.get(BILLING).await), "/");
    let posted = stranger
        .submit("/", BILLING, &employer("556677-8899"))
        .await;
    assert_eq!(location(&posted), "/");
    assert_eq!(
        server.app.store.billing_party(id).await.unwrap().unwrap(),
        stored
    );
    server.stop().await;
}

#[tokio::test]
async fn another_accounts_workplace_is_not_found() {
    let server = common::start(common::dev_config()).await;
    let other = TestPrescriber {
        person_number: "189001019802",
        workplace_name: "Grannens mottagning",
        ..TestPrescriber::dentist()
    }
    .create(&server)
    .await;
    let theirs = workplaces(&server, other).await.remove(0);
    let (id, browser) = logged_in(&server).await;
    let mine = workplaces(&server, id).await;

    let path = format!("/min-profil/arbetsplatser/{}", theirs.id);
    let page = browser.get(&path).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let page = page.text().await.unwrap();
    assert!(page.contains("Sidan finns inte"));
    assert!(!page.contains("Grannens mottagning"));

    let posted = browser
        .submit(
            "/min-profil",
            &path,
            &form(&[("arbetsplatsens_namn", "Kapad")]),
        )
        .await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    assert!(posted.text().await.unwrap().contains("Sidan finns inte"));
    let removed = browser
        .submit("/min-profil", &format!("{path}/ta-bort"), &[])
        .await;
    assert_eq!(removed.status(), StatusCode::NOT_FOUND);
    assert_eq!(workplaces(&server, other).await, vec![theirs]);
    assert_eq!(workplaces(&server, id).await, mine);

    // Neither an unknown id nor something that is no id at all.
    for path in [
        format!("/min-profil/arbetsplatser/{}", uuid::Uuid::now_v7()),
        "/min-profil/arbetsplatser/inte-ett-id".to_owned(),
    ] {
        assert_eq!(
            browser.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        let posted = browser.submit("/min-profil", &path, &form(&[])).await;
        assert_eq!(posted.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(workplaces(&server, id).await, mine);
    server.stop().await;
}

#[tokio::test]
async fn twenty_workplaces_at_most() {
    let server = common::start(common::dev_config()).await;
    let (id, browser) = logged_in(&server).await;
    let template = workplaces(&server, id).await.remove(0);
    for n in 2..=19 {
        let w = Workplace {
            id: uuid::Uuid::now_v7(),
            name: format!("Mottagning {n}"),
            ..template.clone()
        };
        server
            .app
            .store
            .add_workplace(id, &w, MAX_WORKPLACES, server.app.clock.now())
            .await
            .unwrap();
    }
    // The twentieth may still be added.
    let saved = browser.submit(NEW, NEW, &form(&[])).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(workplaces(&server, id).await.len(), 20);

    let message =
        "Du kan ha högst 20 arbetsplatser. Ändra en av dem i stället för att lägga till en ny.";
    let profile = browser.page("/min-profil").await;
    assert!(profile.contains(message), "{profile}");
    assert!(!profile.contains(&format!("href=\"{NEW}\"")));
    let page = browser.get(NEW).await;
    assert_eq!(page.status(), StatusCode::CONFLICT);
    assert!(page.text().await.unwrap().contains(message));
    let refused = browser
        .submit(
            "/min-profil",
            NEW,
            &form(&[("arbetsplatsens_namn", "Den tjugoförsta")]),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains(message));
    assert_eq!(workplaces(&server, id).await.len(), 20);
    // Editing still works.
    let last = workplaces(&server, id).await.remove(19);
    let path = format!("/min-profil/arbetsplatser/{}", last.id);
    let changed = browser
        .submit(
            &path,
            &path,
            &form(&[("arbetsplatsens_namn", "Sista mottagningen")]),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    server.stop().await;
}

#[tokio::test]
async fn not_logged_in_the_workplace_pages_lead_to_the_start_page() {
    let server = common::start(common::dev_config()).await;
    let id = TestPrescriber::doctor().create(&server).await;
    let lund = workplaces(&server, id).await.remove(0);
    let browser = Browser::new(&server);
    let edit = format!("/min-profil/arbetsplatser/{}", lund.id);
    for path in [NEW, edit.as_str()] {
        assert_eq!(location(&browser.get(path).await), "/", "{path}");
        let posted = browser.submit("/", path, &form(&[])).await;
        assert_eq!(posted.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&posted), "/", "{path}");
    }
    let removed = browser.submit("/", &format!("{edit}/ta-bort"), &[]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&removed), "/");
    assert_eq!(workplaces(&server, id).await, vec![lund]);
    server.stop().await;
}
