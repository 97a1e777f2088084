use super::*;

#[test]
fn parses_what_buildx_sends() {
    let o = Options::parse([
        ("filename", "gofront.toml"),
        ("target", "binaries"),
        ("platform", "linux/arm64"),
        ("no-cache", ""),
        (
            "cache-imports",
            r#"[{"Type":"local","Attrs":{"src":"/tmp/c"}}]"#,
        ),
        ("build-arg:SOURCE_DATE_EPOCH", "1700000000"),
        ("build-arg:GOFRONT_BUILD_TAGS", "netgo"),
        ("label:org.example", "x"),
        ("context:goproxy", "local:goproxy"),
        ("cmdline", "gofront:dev"),
        ("attest:provenance", "mode=min"),
        ("vcs:revision", "abc123"),
    ])
    .unwrap();
    assert_eq!(o.target, Target::Binaries);
    assert_eq!(
        o.target_platforms(&Platform::linux_amd64()),
        vec![Platform::parse("linux/arm64").unwrap()]
    );
    assert!(!o.multi_platform_result());
    assert!(o.no_cache);
    assert_eq!(o.cache_imports[0].attrs["src"], "/tmp/c");
    assert_eq!(o.source_date_epoch, Some(1_700_000_000));
    assert_eq!(o.labels["org.example"], "x");
    assert_eq!(o.named_contexts["goproxy"], "local:goproxy");
    assert_eq!(o.ignored, vec!["cmdline", "attest:provenance"]);
    assert_eq!(o.vcs_revision.as_deref(), Some("abc123"));
}

#[test]
fn sbom_is_read_from_the_option_or_buildkits_build_arg() {
    let sbom = |pairs: &[(&str, &str)]| Options::parse(pairs.iter().copied()).unwrap().sbom;
    assert_eq!(sbom(&[]), None);
    assert_eq!(
        sbom(&[("attest:sbom", "type=sbom")]),
        Some(SbomRequest::Gofront)
    );
    assert_eq!(sbom(&[("attest:sbom", "")]), Some(SbomRequest::Gofront));
    assert_eq!(
        sbom(&[("build-arg:BUILDKIT_ATTEST_SBOM", "true")]),
        Some(SbomRequest::Gofront)
    );
    let generator = SbomRequest::Generator {
        image: "example/scanner".into(),
        params: BTreeMap::new(),
    };
    assert_eq!(
        sbom(&[("attest:sbom", "type=sbom,generator=example/scanner")]),
        Some(generator.clone())
    );
    // The option wins over the alias.
    assert_eq!(
        sbom(&[
            ("build-arg:BUILDKIT_ATTEST_SBOM", "type=sbom"),
            ("attest:sbom", "type=sbom,generator=example/scanner"),
        ]),
        Some(generator)
    );
    let o = Options::parse([("attest:sbom", "type=sbom")]).unwrap();
    assert!(o.ignored.is_empty(), "{:?}", o.ignored);
}

#[test]
fn local_flags_read_as_buildx_sends_them() {
    let mut l = LocalOptions::default();
    l.target("binaries".into());
    l.platform("linux/arm64".into());
    l.build_context("goproxy", "./proxy");
    l.build_context("base", "docker-image://alpine:3");
    l.build_arg("GOFRONT_BUILD_TAGS", "netgo");
    l.label("org.example", "x");
    l.filename("app.toml".into());
    let o = l.parse().unwrap();
    assert_eq!(o.target, Target::Binaries);
    assert_eq!(o.platforms, [Platform::parse("linux/arm64").unwrap()]);
    assert_eq!(
        o.named_context("goproxy"),
        Some(ContextSource::Local("goproxy".into()))
    );
    assert_eq!(
        o.named_context("base"),
        Some(ContextSource::Image("alpine:3".into()))
    );
    assert_eq!(o.build_args["GOFRONT_BUILD_TAGS"], "netgo");
    assert_eq!(o.labels["org.example"], "x");
    assert_eq!(o.filename, "app.toml");
    assert!(o.ignored.is_empty(), "{:?}", o.ignored);
    assert_eq!(
        LocalOptions::default().parse().unwrap().filename,
        DEFAULT_SPEC_FILE
    );
}

#[test]
fn every_target_is_chosen_by_its_name() {
    for t in Target::ALL {
        let o = Options::parse([("target", t.name())]).unwrap();
        assert_eq!(o.target, t);
    }
    assert_eq!(
        Options::parse([("target", "")]).unwrap().target,
        Target::Image
    );
    assert_eq!(Target::ALL[0], Target::default());
    // Any other name is a binary's own image, which plan checks.
    let o = Options::parse([("target", "api")]).unwrap();
    assert_eq!(
        (o.target, o.binary_target.as_deref()),
        (Target::Image, Some("api"))
    );
}

#[test]
fn rejects_what_cannot_be_honoured() {
    assert_eq!(
        Options::parse([
            ("platform", "linux/amd64,linux/arm64"),
            ("multi-platform", "false")
        ])
        .unwrap_err()
        .to_string(),
        "--platform lists linux/amd64,linux/arm64, but multi-platform=false asks for a single-platform result"
    );
    assert_eq!(
        Options::parse([("multi-platform", "yes")])
            .unwrap_err()
            .to_string(),
        "invalid multi-platform value \"yes\"; expected true or false"
    );
    assert!(Options::parse([("platform", "linux")]).is_err());
    assert!(Options::parse([("build-arg:SOURCE_DATE_EPOCH", "yesterday")]).is_err());
}

#[test]
fn proxies_are_read_in_either_case() {
    assert_eq!(Options::parse([]).unwrap().proxies(), None);
    let o = Options::parse([
        ("build-arg:https_proxy", "http://p:3128"),
        ("build-arg:NO_PROXY", "localhost"),
        ("build-arg:PROXY", "not one"),
    ])
    .unwrap();
    let p = o.proxies().unwrap();
    assert_eq!(p.https, "http://p:3128");
    assert_eq!(p.no, "localhost");
    assert_eq!(p.http, "");
    assert_eq!(p.names(), ["HTTPS_PROXY", "NO_PROXY"]);
    // Each is a build arg gofront knows, in either case, and listed once.
    for a in &PROXY_ARGS {
        assert!(Options::is_known_build_arg(a.arg.name));
        assert!(Options::is_known_build_arg(
            &a.arg.name.to_ascii_lowercase()
        ));
        let listed = OTHER_BUILD_ARGS.iter().filter(|o| o.name == a.arg.name);
        assert_eq!(listed.count(), 1, "{}", a.arg.name);
    }
    assert!(!Options::is_known_build_arg("Https_Proxy"));
}

#[test]
fn keep_git_dir_is_read_as_buildkit_reads_it() {
    let keep = |v: &str| {
        Options::parse([("build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR", v)])
            .unwrap()
            .keep_git_dir
    };
    assert!(keep("1"));
    assert!(keep("true"));
    assert!(!keep("false"));
    assert!(!keep("0"));
    assert!(!keep(""));
    assert!(!keep("yes please"));
    assert!(!Options::parse([]).unwrap().keep_git_dir);
}

#[test]
fn platform_lists_and_multi_platform_results() {
    let amd = Platform::linux_amd64();
    let many = Options::parse([("platform", "linux/amd64,linux/arm64,linux/amd64")]).unwrap();
    let names: Vec<String> = many
        .target_platforms(&amd)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(names, ["linux/amd64", "linux/arm64"]);
    assert!(many.multi_platform_result());
    let none = Options::parse([]).unwrap();
    assert_eq!(none.target_platforms(&amd), vec![amd.clone()]);
    assert!(!none.multi_platform_result());
    let forced = Options::parse([("multi-platform", "true")]).unwrap();
    assert!(forced.multi_platform_result());
    let by_arg = Options::parse([
        ("multi-platform", "false"),
        ("build-arg:BUILDKIT_MULTI_PLATFORM", "1"),
    ])
    .unwrap();
    assert!(by_arg.multi_platform_result());
}

#[test]
fn normalises_platform_aliases() {
    let p = |s| Platform::parse(s).unwrap().to_string();
    assert_eq!(p("linux/x86_64"), "linux/amd64");
    assert_eq!(p("linux/aarch64"), "linux/arm64");
    assert_eq!(p("linux/arm64/v8"), "linux/arm64");
    assert_eq!(p("linux/arm"), "linux/arm/v7");
    assert_eq!(p("linux/amd64/v1"), "linux/amd64");
    assert_eq!(p("linux/arm64/v8.0"), "linux/arm64");
    assert_eq!(p("linux/arm64/9"), "linux/arm64/v9");
    assert_eq!(p("linux/ARM/6"), "linux/arm/v6");
    assert_eq!(p("linux/i386/sse2"), "linux/386");
}

#[test]
fn a_platform_listed_twice_is_built_once_and_odd_variants_are_refused() {
    let o = Options::parse([(
        "platform",
        "linux/amd64,linux/arm64,linux/x86_64/v1,linux/aarch64/v8",
    )])
    .unwrap();
    let names: Vec<String> = o.platforms.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["linux/amd64", "linux/arm64"]);
    let one = Options::parse([("platform", "linux/amd64,linux/amd64")]).unwrap();
    assert!(!one.multi_platform_result());
    assert_eq!(
        Options::parse([("platform", "linux/amd64,linux/amd64/v5")])
            .unwrap_err()
            .to_string(),
        "--platform linux/amd64/v5: Go does not build for linux/amd64/v5; it builds linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/amd64/v4 (the variant sets GOAMD64; none keeps Go's default)"
    );
    assert_eq!(
        Options::parse([("platform", "linux/loong64/v2")])
            .unwrap_err()
            .to_string(),
        "--platform linux/loong64/v2: Go does not build for linux/loong64/v2; it builds linux/loong64 (Go has no variants of loong64)"
    );
}
