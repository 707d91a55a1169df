//! "Ny förskrivare" end to end over HTTP in development mode: the five steps with BankID
//! completed through the simulator's control API, the confirmation mail, login refused until the
//! simulated register confirms the code, then login, then reason a after 22 days.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use erecept_server::Running;
use reqwest::StatusCode;

struct Browser {
    client: reqwest::Client,
    base: String,
}

impl Browser {
    fn new(server: &Running) -> Self {
        Self {
            client: common::client(),
            base: server.url(),
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.text().await.unwrap()
    }

    async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = common::csrf_field(&self.page(page).await);
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(format!("{}{action}", self.base))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Follows redirects by hand, returning the final path.
    async fn follow(&self, mut response: reqwest::Response) -> (String, reqwest::Response) {
        let mut path = String::new();
        while response.status() == StatusCode::SEE_OTHER {
            path = response.headers()["location"].to_str().unwrap().to_owned();
            response = self.get(&path).await;
        }
        (path, response)
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn identify_with_bankid(server: &Running, browser: &Browser) {
    let start = browser
        .submit(
            "/ny-forskrivare/bankid",
            "/bankid/start",
            &[("purpose", "registrering"), ("flow", "qr")],
        )
        .await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&start), "/bankid");
    let waiting = browser.page("/bankid").await;
    assert!(
        waiting.contains("Starta BankID-appen."),
        "RFA1 while waiting for the QR scan"
    );
    // The fake BankID app approves the order.
    let orders: serde_json::Value = browser
        .get("/sim/bankid/api/orders")
        .await
        .json()
        .await
        .unwrap();
    let order_ref = orders[0]["orderRef"]
        .as_str()
        .expect("a pending order")
        .to_owned();
    let done = browser
        .client
        .post(format!("{}/sim/bankid/api/orders/{order_ref}/complete", server.url()))
        .json(&serde_json::json!({ "personalNumber": "191212121212", "givenName": "Tolvan", "surname": "Tolvansson" }))
        .send()
        .await
        .unwrap();
    assert!(done.status().is_success(), "{:?}", done.text().await);
    // A user's seconds pass: past the interval at which the service collects the order.
    server
        .dev_clock
        .as_ref()
        .unwrap()
        .advance(jiff::SignedDuration::from_secs(3));
    // The status page moves on by itself.
    let (path, response) = browser.follow(browser.get("/bankid").await).await;
    assert_eq!(path, "/ny-forskrivare/personuppgifter");
    let html = response.text().await.unwrap();
    assert!(html.contains("Tolvan Tolvansson"));
    assert!(html.contains("19121212-1212"));
}

async fn wait_for_verification(server: &Running) {
    let pnr = erecept_domain::PersonNumber::parse_12("191212121212").unwrap();
    for _ in 0..200 {
        let account = server
            .app
            .store
            .account_by_person_number(&pnr)
            .await
            .unwrap()
            .unwrap();
        if matches!(
            account.verification,
            erecept_store::Verification::Verified { .. }
        ) {
            return;
        }
        // Let the register's delay and the job's backoff pass on the service's clock.
        server
            .dev_clock
            .as_ref()
            .unwrap()
            .advance(jiff::SignedDuration::from_secs(15));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the prescriber code was never confirmed");
}

#[tokio::test]
async fn a_new_prescriber_registers_is_verified_logs_in_and_must_pay_within_three_weeks() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);

    // Step 1: the terms must be accepted.
    let terms = browser.page("/ny-forskrivare").await;
    assert!(terms.contains("Kontrollera att du har ditt BankID eller Mobilt BankID tillgängligt"));
    assert!(
        terms.contains(
            "<label for=\"villkor\">Jag har läst och godkänner användarvillkoren</label>"
        )
    );
    assert!(terms.contains("<label for=\"befolkningsregister\">Befolkningsregister</label>"));
    assert!(
        terms.contains("1 250,00 kr") && terms.contains("375,00 kr"),
        "prices from configuration"
    );
    let refused = browser
        .submit(
            "/ny-forskrivare",
            "/ny-forskrivare",
            &[("befolkningsregister", "ja")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Du behöver godkänna användarvillkoren")
    );
    let accepted = browser
        .submit(
            "/ny-forskrivare",
            "/ny-forskrivare",
            &[("villkor", "ja"), ("befolkningsregister", "ja")],
        )
        .await;
    assert_eq!(location(&accepted), "/ny-forskrivare/bankid");
    // Skipping ahead is not possible before BankID.
    assert_eq!(
        location(&browser.get("/ny-forskrivare/betalningsansvarig").await),
        "/ny-forskrivare/bankid"
    );

    // Step 2: BankID.
    let choice = browser.page("/ny-forskrivare/bankid").await;
    assert!(
        choice.contains("BankID på den här enheten")
            && choice.contains("Mobilt BankID på annan enhet")
    );
    identify_with_bankid(&server, &browser).await;

    // Step 3: personal data, with a Swedish message beside each wrong field.
    let personal = browser.page("/ny-forskrivare/personuppgifter").await;
    assert!(personal.contains("OBS! Samtliga uppgifter är obligatoriska"));
    for label in [
        "Yrke",
        "Förskrivarkod",
        "E-post",
        "Upprepa e-post",
        "Mobiltelefon",
        "Lösenord",
        "Upprepa lösenord",
    ] {
        assert!(
            personal.contains(&format!("\">{label}</label>")),
            "label {label}"
        );
    }
    let wrong = browser
        .submit(
            "/ny-forskrivare/personuppgifter",
            "/ny-forskrivare/personuppgifter",
            &[
                ("yrke", "lakare"),
                ("forskrivarkod", "0000000"),
                ("epost", "tolvan@example.se"),
                ("upprepa_epost", "tolvan@example.se"),
                ("mobiltelefon", "070-123 45 67"),
                ("losenord", "Hemligt-42"),
                ("upprepa_losenord", "Hemligt-43"),
                ("action", "nasta"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("Lösenorden är inte lika."));
    assert!(
        html.contains("value=\"tolvan@example.se\""),
        "typed values kept"
    );
    let ok = browser
        .submit(
            "/ny-forskrivare/personuppgifter",
            "/ny-forskrivare/personuppgifter",
            &[
                ("yrke", "lakare"),
                ("forskrivarkod", "1234567"),
                ("epost", "tolvan@example.se"),
                ("upprepa_epost", "tolvan@example.se"),
                ("mobiltelefon", "070-123 45 67"),
                ("losenord", "Hemligt-42"),
                ("upprepa_losenord", "Hemligt-42"),
                ("action", "nasta"),
            ],
        )
        .await;
    assert_eq!(location(&ok), "/ny-forskrivare/arbetsplats");

    // Step 4: the county rule, then back and forward keep what was typed.
    let wrong = browser
        .submit(
            "/ny-forskrivare/arbetsplats",
            "/ny-forskrivare/arbetsplats",
            &[
                ("arbetsplatsens_namn", "Läkarhuset"),
                ("arbetsplatskod", "0212345"),
                ("adress", "Sveavägen 1"),
                ("postnummer", "111 22"),
                ("ort", "Stockholm"),
                ("telefon", "08-123 456 78"),
                ("action", "nasta"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains(
        "Arbetsplatskoden inleds med länskoden. Ex 01 för Region Stockholm, 12 för Region Skåne"
    ));
    let back = browser
        .submit(
            "/ny-forskrivare/arbetsplats",
            "/ny-forskrivare/arbetsplats",
            &[
                ("arbetsplatsens_namn", "Läkarhuset"),
                ("arbetsplatskod", "0112345"),
                ("action", "tillbaka"),
            ],
        )
        .await;
    assert_eq!(location(&back), "/ny-forskrivare/personuppgifter");
    let again = browser.page("/ny-forskrivare/arbetsplats").await;
    assert!(again.contains("value=\"0112345\""), "kept after going back");
    let ok = browser
        .submit(
            "/ny-forskrivare/arbetsplats",
            "/ny-forskrivare/arbetsplats",
            &[
                ("arbetsplatsens_namn", "Läkarhuset"),
                ("arbetsplatskod", "0112345"),
                ("adress", "Sveavägen 1"),
                ("postnummer", "11122"),
                ("ort", "Stockholm"),
                ("telefon", "08-123 456 78"),
                ("region", ""),
                ("journalsystem", ""),
                ("action", "nasta"),
            ],
        )
        .await;
    assert_eq!(location(&ok), "/ny-forskrivare/betalningsansvarig");
    let proposed = browser.page("/ny-forskrivare/arbetsplats").await;
    assert!(
        proposed.contains("Föreslagen region utifrån arbetsplatskoden: Region Stockholm."),
        "region proposed from the code"
    );

    // Step 5: billing party from my details, and [Registrera].
    let billing = browser.page("/ny-forskrivare/betalningsansvarig").await;
    assert!(billing.contains("Fält med en asterix (*) är obligatoriska"));
    assert!(
        billing.contains(
            "<label for=\"anvand_mina_uppgifter\">Använd mina förskrivaruppgifter</label>"
        )
    );
    let registered = browser
        .submit(
            "/ny-forskrivare/betalningsansvarig",
            "/ny-forskrivare/betalningsansvarig",
            &[
                ("anvand_mina_uppgifter", "ja"),
                ("adress", "Sveavägen 1"),
                ("postnummer", "111 22"),
                ("ort", "Stockholm"),
                ("action", "registrera"),
            ],
        )
        .await;
    assert_eq!(location(&registered), "/ny-forskrivare/klar");
    let done = browser.page("/ny-forskrivare/klar").await;
    assert!(done.contains("<h2>Kontroll av förskrivarkod</h2>"));
    assert!(
        done.contains("Först när Socialstyrelsen bekräftat förskrivarkoden går det att logga in.")
    );
    assert!(done.contains("Observera att faktura inte skickas ut med post."));
    assert!(done.contains("1 625,00 kr"));

    let mail = server
        .app
        .store
        .recent_mail(1)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(mail.to, "tolvan@example.se");
    assert_eq!(mail.subject, "Du är registrerad för eRecept");

    // Before the register has confirmed the code, login says so.
    let login = browser
        .submit(
            "/",
            "/logga-in",
            &[("personnummer", "191212121212"), ("losenord", "Hemligt-42")],
        )
        .await;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    assert!(
        login
            .text()
            .await
            .unwrap()
            .contains("Behörighetskontroll ej slutförd")
    );

    wait_for_verification(&server).await;
    let login = browser
        .submit(
            "/",
            "/logga-in",
            &[("personnummer", "191212121212"), ("losenord", "Hemligt-42")],
        )
        .await;
    assert_eq!(location(&login), "/min-profil");
    assert!(browser.page("/min-profil").await.contains("Läkarhuset"));
    let verified = server
        .app
        .store
        .recent_mail(1)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        verified.subject,
        "Behörighetskontrollen är slutförd – du kan logga in i eRecept"
    );

    // Three weeks and a day later without payment: reason a.
    browser
        .client
        .post(format!("{}/dev/clock", server.url()))
        .json(&serde_json::json!({ "advance_days": 22 }))
        .send()
        .await
        .unwrap();
    let browser = Browser::new(&server);
    let login = browser
        .submit(
            "/",
            "/logga-in",
            &[("personnummer", "191212121212"), ("losenord", "Hemligt-42")],
        )
        .await;
    let html = login.text().await.unwrap();
    assert!(html.contains("Det finns ingen aktiv licens"));
    assert!(html.contains("Licensen är inte betald"));
    server.stop().await;
}

#[tokio::test]
async fn an_already_registered_personnummer_is_sent_to_login_or_password_reset() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);
    browser
        .submit("/ny-forskrivare", "/ny-forskrivare", &[("villkor", "ja")])
        .await;
    identify_with_bankid(&server, &browser).await;
    // Register once through the application, then try again with the same identity.
    let first = Browser::new(&server);
    first
        .submit("/ny-forskrivare", "/ny-forskrivare", &[("villkor", "ja")])
        .await;
    identify_with_bankid(&server, &first).await;
    first
        .submit(
            "/ny-forskrivare/personuppgifter",
            "/ny-forskrivare/personuppgifter",
            &[
                ("yrke", "tandlakare"),
                ("forskrivarkod", "1234567"),
                ("epost", "t@example.se"),
                ("upprepa_epost", "t@example.se"),
                ("mobiltelefon", "0701234567"),
                ("losenord", "Hemligt-42"),
                ("upprepa_losenord", "Hemligt-42"),
                ("action", "nasta"),
            ],
        )
        .await;
    first
        .submit(
            "/ny-forskrivare/arbetsplats",
            "/ny-forskrivare/arbetsplats",
            &[
                ("arbetsplatsens_namn", "Tandvården"),
                ("arbetsplatskod", "1212345"),
                ("adress", "Gatan 2"),
                ("postnummer", "22222"),
                ("ort", "Lund"),
                ("telefon", "046-123456"),
                ("action", "nasta"),
            ],
        )
        .await;
    let done = first
        .submit(
            "/ny-forskrivare/betalningsansvarig",
            "/ny-forskrivare/betalningsansvarig",
            &[
                ("anvand_mina_uppgifter", "ja"),
                ("adress", "Gatan 2"),
                ("postnummer", "22222"),
                ("ort", "Lund"),
                ("action", "registrera"),
            ],
        )
        .await;
    assert_eq!(location(&done), "/ny-forskrivare/klar");

    // The second wizard identifies the same person again: told to log in or reset.
    let browser2 = Browser::new(&server);
    browser2
        .submit("/ny-forskrivare", "/ny-forskrivare", &[("villkor", "ja")])
        .await;
    let start = browser2
        .submit(
            "/ny-forskrivare/bankid",
            "/bankid/start",
            &[("purpose", "registrering"), ("flow", "qr")],
        )
        .await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let orders: serde_json::Value = browser2
        .get("/sim/bankid/api/orders")
        .await
        .json()
        .await
        .unwrap();
    let order_ref = orders[0]["orderRef"].as_str().unwrap().to_owned();
    browser2
        .client
        .post(format!("{}/sim/bankid/api/orders/{order_ref}/complete", server.url()))
        .json(&serde_json::json!({ "personalNumber": "191212121212", "givenName": "Tolvan", "surname": "Tolvansson" }))
        .send()
        .await
        .unwrap();
    server
        .dev_clock
        .as_ref()
        .unwrap()
        .advance(jiff::SignedDuration::from_secs(3));
    let (path, response) = browser2.follow(browser2.get("/bankid").await).await;
    assert_eq!(path, "/ny-forskrivare/identifierad");
    let html = response.text().await.unwrap();
    assert!(html.contains("Du är redan registrerad"));
    assert!(
        html.contains("<a href=\"/\">Logga in</a>")
            && html.contains("<a href=\"/glomt-losenord\">Glömt lösenord?</a>")
    );
    // The abandoned first wizard (browser) left no account behind beyond the one registered.
    drop(browser);
    server.stop().await;
}

#[tokio::test]
async fn a_nurse_sends_the_certificate_and_logs_in_once_support_has_approved_it() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);
    browser
        .submit("/ny-forskrivare", "/ny-forskrivare", &[("villkor", "ja")])
        .await;
    identify_with_bankid(&server, &browser).await;
    browser
        .submit(
            "/ny-forskrivare/personuppgifter",
            "/ny-forskrivare/personuppgifter",
            &[
                ("yrke", "sjukskoterska"),
                ("forskrivarkod", "2345678"),
                ("epost", "syster@example.se"),
                ("upprepa_epost", "syster@example.se"),
                ("mobiltelefon", "0701234567"),
                ("losenord", "Hemligt-42"),
                ("upprepa_losenord", "Hemligt-42"),
                ("action", "nasta"),
            ],
        )
        .await;
    browser
        .submit(
            "/ny-forskrivare/arbetsplats",
            "/ny-forskrivare/arbetsplats",
            &[
                ("arbetsplatsens_namn", "Vårdcentralen"),
                ("arbetsplatskod", "2312345"),
                ("adress", "Gatan 3"),
                ("postnummer", "83152"),
                ("ort", "Östersund"),
                ("telefon", "063-123456"),
                ("action", "nasta"),
            ],
        )
        .await;
    browser
        .submit(
            "/ny-forskrivare/betalningsansvarig",
            "/ny-forskrivare/betalningsansvarig",
            &[
                ("anvand_mina_uppgifter", "ja"),
                ("adress", "Gatan 3"),
                ("postnummer", "83152"),
                ("ort", "Östersund"),
                ("action", "registrera"),
            ],
        )
        .await;
    let done = browser.page("/ny-forskrivare/klar").await;
    assert!(done.contains("Intyg från verksamhetschef"));
    let upload_page = browser.page("/intyg").await;
    let marker = "action=\"/intyg?csrf=";
    let start = upload_page.find(marker).expect("upload form") + marker.len();
    let csrf = upload_page[start..].split('"').next().unwrap().to_owned();
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "intyg",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        browser
            .client
            .post(format!("{}/intyg?csrf={csrf}", server.url()))
            .multipart(form)
            .send()
    };
    // A file that is not PDF, PNG or JPEG by its content is refused, whatever its name.
    let wrong = upload("intyg.pdf", b"<html>inte ett intyg</html>".to_vec())
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Intyget måste vara en PDF-, PNG- eller JPEG-fil.")
    );
    let empty = upload("", Vec::new()).await.unwrap();
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("Välj en fil att ladda upp.")
    );
    let ok = upload("intyg.pdf", b"%PDF-1.7\nintyg".to_vec())
        .await
        .unwrap();
    assert_eq!(location(&ok), "/intyg?mottaget");
    let listed = browser.page("/intyg?mottaget").await;
    assert!(
        listed.contains("Intyget är mottaget")
            && listed.contains("intyg.pdf")
            && listed.contains("Granskas")
    );
    // Without the CSRF token in the address the upload is refused.
    let forged = browser
        .client
        .post(format!("{}/intyg", server.url()))
        .multipart(reqwest::multipart::Form::new().part(
            "intyg",
            reqwest::multipart::Part::bytes(b"%PDF-1".to_vec()).file_name("x.pdf"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    wait_for_verification(&server).await;
    let login = browser
        .submit(
            "/",
            "/logga-in",
            &[("personnummer", "191212121212"), ("losenord", "Hemligt-42")],
        )
        .await;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    let html = login.text().await.unwrap();
    assert!(
        html.contains("Behörighetskontroll ej slutförd")
            && html.contains("Ditt intyg från verksamhetschefen granskas av support."),
        "{html}"
    );

    let pnr = erecept_domain::PersonNumber::parse_12("191212121212").unwrap();
    assert_eq!(
        server
            .app
            .support
            .decide_certificate(&pnr, true)
            .await
            .unwrap(),
        erecept_app::support::Decision::Done
    );
    let mail = server
        .app
        .store
        .recent_mail(1)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(mail.subject, "Ditt intyg är godkänt – eRecept");
    let login = browser
        .submit(
            "/",
            "/logga-in",
            &[("personnummer", "191212121212"), ("losenord", "Hemligt-42")],
        )
        .await;
    assert_eq!(location(&login), "/min-profil");
    server.stop().await;
}
