//! Endpoints and TLS as the AWS SDKs resolve them: FIPS and dual-stack host names in every
//! partition, a profile's `services` section and `endpoint_url` (and
//! `ignore_configured_endpoint_urls`), and `AWS_CA_BUNDLE` / a profile's `ca_bundle` trusted
//! besides the system's roots, proved with a private CA made here and a TLS server on loopback
//! in front of the emulator.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use common::cli::*;
use std::path::Path;
use std::sync::Arc;

/// A command with static keys and the AWS config file `config`.
fn with_profile(home: &Path, config: &str) -> std::process::Command {
    std::fs::write(home.join("aws-config"), config).unwrap();
    let mut cmd = bare(home);
    cmd.env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_ACCESS_KEY_ID", "AKIATESTKEY000000001")
        .env("AWS_SECRET_ACCESS_KEY", "secret");
    cmd
}

#[test]
fn fips_dual_stack_and_partitions_give_the_sdks_host_names() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for (region, env, profile, runtime, control) in [
        (
            "us-east-1",
            &[][..],
            "",
            "https://bedrock-runtime.us-east-1.amazonaws.com",
            "https://bedrock.us-east-1.amazonaws.com",
        ),
        (
            "us-east-1",
            &[("AWS_USE_FIPS_ENDPOINT", "true")],
            "",
            "https://bedrock-runtime-fips.us-east-1.amazonaws.com",
            "https://bedrock-fips.us-east-1.amazonaws.com",
        ),
        (
            "us-west-2",
            &[],
            "use_dualstack_endpoint = true\n",
            "https://bedrock-runtime.us-west-2.api.aws",
            "https://bedrock.us-west-2.api.aws",
        ),
        (
            "us-gov-west-1",
            &[("AWS_USE_FIPS_ENDPOINT", "true")],
            "",
            "https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com",
            "https://bedrock-fips.us-gov-west-1.amazonaws.com",
        ),
        (
            "cn-northwest-1",
            &[],
            "",
            "https://bedrock-runtime.cn-northwest-1.amazonaws.com.cn",
            "https://bedrock.cn-northwest-1.amazonaws.com.cn",
        ),
        (
            "us-iso-east-1",
            &[],
            "",
            "https://bedrock-runtime.us-iso-east-1.c2s.ic.gov",
            "https://bedrock.us-iso-east-1.c2s.ic.gov",
        ),
        (
            "us-isob-east-1",
            &[],
            "",
            "https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov",
            "https://bedrock.us-isob-east-1.sc2s.sgov.gov",
        ),
    ] {
        let mut cmd = with_profile(h, &format!("[default]\n{profile}"));
        cmd.env("AWS_REGION", region).envs(env.iter().copied());
        let settings = doctor(&mut cmd);
        assert_eq!(
            settings["runtime endpoint"].0, runtime,
            "{region} {env:?} {profile}"
        );
        assert_eq!(settings["control-plane endpoint"].0, control, "{region}");
    }
    // The environment's word wins over the profile's.
    let mut cmd = with_profile(h, "[default]\nuse_fips_endpoint = true\n");
    cmd.env("AWS_REGION", "us-east-1")
        .env("AWS_USE_FIPS_ENDPOINT", "false");
    assert_eq!(
        doctor(&mut cmd)["runtime endpoint"].0,
        "https://bedrock-runtime.us-east-1.amazonaws.com"
    );
}

#[test]
fn a_profiles_services_section_and_endpoint_url_are_used_unless_ignored() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let config = "[default]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:4010\nservices = local\n\n[services local]\nbedrock-runtime =\n  endpoint_url = http://127.0.0.1:4020\n";
    let settings = doctor(&mut with_profile(h, config));
    assert_eq!(
        settings["runtime endpoint"],
        ("http://127.0.0.1:4020".into(), "profile default".into())
    );
    assert_eq!(
        settings["control-plane endpoint"].0,
        "http://127.0.0.1:4010"
    );
    // Flag and environment win over the profile; `ignore_configured_endpoint_urls` turns all
    // but the flag off.
    let settings = doctor(
        with_profile(h, config).env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:4030"),
    );
    assert_eq!(settings["runtime endpoint"].0, "http://127.0.0.1:4030");
    let settings =
        doctor(with_profile(h, config).env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));
    assert_eq!(
        settings["runtime endpoint"].0,
        "https://bedrock-runtime.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        settings["control-plane endpoint"].0,
        "https://bedrock.eu-west-1.amazonaws.com"
    );
    let settings = doctor(
        with_profile(
            h,
            &format!("{config}ignore_configured_endpoint_urls = true\n"),
        )
        .args(["--endpoint-url", "http://127.0.0.1:4040"]),
    );
    assert_eq!(settings["runtime endpoint"].0, "http://127.0.0.1:4040");
}

/// A CA and a certificate for `localhost` signed by it: (CA PEM, server cert DER, server key DER).
fn private_ca() -> (String, Vec<u8>, Vec<u8>) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "bedrock-tui test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let server = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();
    (
        ca_cert.pem(),
        server_cert.der().to_vec(),
        server_key.serialize_der(),
    )
}

/// A TLS server on loopback that passes every connection on to `backend` in the clear.
async fn tls_front(cert: Vec<u8>, key: Vec<u8>, backend: std::net::SocketAddr) -> u16 {
    use tokio_rustls::rustls;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![rustls::pki_types::CertificateDer::from(cert)],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_bundle_is_trusted_besides_the_system_roots() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let emulator = common::emulator().await;
    let (ca, cert, key) = private_ca();
    let port = tls_front(cert, key, emulator.addr()).await;
    let bundle = h.join("corporate-ca.pem");
    std::fs::write(&bundle, &ca).unwrap();
    let endpoint = format!("https://localhost:{port}");
    let c = emulator.config().credentials.clone();
    let ask = |extra: &[(&str, String)], config: &str| {
        let mut cmd = aimed(&endpoint, &c, h);
        std::fs::write(h.join("aws-config"), config).unwrap();
        cmd.env("AWS_CONFIG_FILE", h.join("aws-config"))
            .envs(extra.iter().map(|(k, v)| (*k, v.clone())))
            .args(["ask", "--max-attempts", "1", "Hello over TLS"]);
        run(&mut cmd)
    };
    // Without the bundle the private CA is not trusted.
    let out = ask(&[], "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: ConnectionError"), "{stderr}");
    // AWS_CA_BUNDLE, then the profile's ca_bundle.
    let out = ask(&[("AWS_CA_BUNDLE", bundle.display().to_string())], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.len() > 20);
    let out = ask(
        &[],
        &format!("[default]\nca_bundle = {}\n", bundle.display()),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A bundle that is not PEM is a clear error naming the file and the setting.
    std::fs::write(h.join("broken.pem"), "not a certificate").unwrap();
    let out = ask(
        &[("AWS_CA_BUNDLE", h.join("broken.pem").display().to_string())],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("broken.pem") && stderr.contains("AWS_CA_BUNDLE"),
        "{stderr}"
    );
}
