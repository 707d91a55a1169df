//! Mail from the outbox reaches a real SMTP server (aiosmtpd storing a Maildir).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use base64::Engine;
use std::process::Stdio;
use std::time::Duration;

/// The Python that has aiosmtpd: `ERECEPT_TEST_PYTHON`, else the first of python3 and
/// /usr/bin/python3 that can import it.
fn python_with_aiosmtpd() -> Option<String> {
    let candidates = std::env::var("ERECEPT_TEST_PYTHON")
        .map(|p| vec![p])
        .unwrap_or_else(|_| vec!["python3".to_owned(), "/usr/bin/python3".to_owned()]);
    candidates.into_iter().find(|python| {
        std::process::Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

struct SmtpServer {
    child: tokio::process::Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    async fn start(python: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(python, port).await
    }

    async fn start_on(python: &str, port: u16) -> Self {
        let maildir = common::scratch_dir().join("Maildir");
        let child = tokio::process::Command::new(python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .kill_on_drop(true)
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self {
                    child,
                    port,
                    maildir,
                };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    fn messages(&self) -> Vec<String> {
        let new = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect()
    }
}

/// The Subject header with its RFC 2047 encoded words ("=?utf-8?b?…?=") decoded.
fn decoded_subject(message: &str) -> String {
    let line = message
        .lines()
        .find(|l| l.starts_with("Subject: "))
        .expect("Subject header");
    line.trim_start_matches("Subject: ")
        .split(' ')
        .map(|word| {
            word.strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
                .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .unwrap_or_else(|| word.to_owned())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn must_run() -> bool {
    std::env::var_os("CI").is_some()
}

async fn wait_for_messages(smtp: &SmtpServer, count: usize) -> Vec<String> {
    for _ in 0..200 {
        let messages = smtp.messages();
        if messages.len() >= count {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {count} message(s) in {}", smtp.maildir.display());
}

#[tokio::test]
async fn outbox_mail_reaches_a_real_smtp_server_once() {
    let Some(python) = python_with_aiosmtpd() else {
        assert!(
            !must_run(),
            "CI must provide aiosmtpd (pip install aiosmtpd)"
        );
        eprintln!("aiosmtpd not installed: SMTP test skipped");
        return;
    };
    let mut smtp = SmtpServer::start(&python).await;
    let mut config = common::dev_config();
    config.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
    config.mail_from = "eRecept <noreply@erecept.example>".to_owned();
    let server = common::start(config).await;

    let id = server
        .app
        .mailer
        .queue(
            "doris@example.se",
            &erecept_mail::TestMessage {
                requested_by: "drift".into(),
            },
        )
        .await
        .unwrap();
    let messages = wait_for_messages(&smtp, 1).await;
    let message = &messages[0];
    assert!(message.contains("To: doris@example.se"), "{message}");
    assert!(message.contains("From: eRecept <noreply@erecept.example>"));
    assert!(
        message.contains(&format!("Message-ID: <{id}@127.0.0.1>")),
        "{message}"
    );
    assert_eq!(decoded_subject(message), "Testmeddelande från eRecept");
    assert!(message.contains("multipart/alternative"));
    assert!(message.contains("text/plain") && message.contains("text/html"));

    // The worker records the delivery once the server has accepted the message.
    let mut stored = server.app.store.mail(id).await.unwrap().unwrap();
    for _ in 0..100 {
        if stored.sent_at.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        stored = server.app.store.mail(id).await.unwrap().unwrap();
    }
    assert_eq!(stored.transport.as_deref(), Some("smtp"));
    // The job is done; nothing more is sent, however long we wait for the worker.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.messages().len(), 1);
    server.stop().await;
    let _ = smtp.child.kill().await;
}

#[tokio::test]
async fn mail_waits_while_the_smtp_server_is_down_and_goes_out_when_it_is_back() {
    let Some(python) = python_with_aiosmtpd() else {
        assert!(
            !must_run(),
            "CI must provide aiosmtpd (pip install aiosmtpd)"
        );
        eprintln!("aiosmtpd not installed: SMTP test skipped");
        return;
    };
    // A port where nothing listens yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = common::dev_config();
    config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    let server = common::start(config).await;
    let id = server
        .app
        .mailer
        .queue(
            "erik@example.se",
            &erecept_mail::TestMessage {
                requested_by: "drift".into(),
            },
        )
        .await
        .unwrap();
    // The first attempt fails and is scheduled again with backoff; nothing is lost.
    let job = loop {
        let job = server
            .app
            .store
            .job_by_key(&format!("mail:{id}"))
            .await
            .unwrap()
            .unwrap();
        if job.attempts >= 1 && job.status == erecept_store::JobStatus::Pending {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(job.last_error.is_some());
    assert!(
        server
            .app
            .store
            .mail(id)
            .await
            .unwrap()
            .unwrap()
            .sent_at
            .is_none()
    );

    // The server comes up on that port; once the retry is due (the development clock moves
    // past the backoff) the mail goes out, once.
    let smtp = SmtpServer::start_on(&python, port).await;
    server
        .dev_clock
        .as_ref()
        .unwrap()
        .advance(jiff::SignedDuration::from_mins(2));
    let messages = wait_for_messages(&smtp, 1).await;
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("To: erik@example.se"));
    server.stop().await;
    drop(smtp);
}
