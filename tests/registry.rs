//! The provider registry is the one list of providers: everything a provider needs outside
//! its folder's code is checked here against it, and each failure names the provider and
//! the missing part. (What its code needs is a compile error: a `Descriptor` item left out.)

use sms_relay::config::{Bindings, Config};
use sms_relay::payload::MediaType;
use sms_relay::providers::{Endpoint, INFOS, NAMES};
use sms_relay::testing::oracle::{fuzz_config, fuzz_selector, ingest};
use std::collections::BTreeSet;
use std::path::Path;

fn read_or_empty(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_default()
}

fn exists(path: &str) -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).exists()
}

#[test]
fn names_sources_and_id_letters_are_distinct() {
    let distinct = |values: Vec<String>| values.iter().collect::<BTreeSet<_>>().len();
    let names: Vec<String> = INFOS.iter().map(|i| i.provider.name.into()).collect();
    let sources: Vec<String> = INFOS.iter().map(|i| i.provider.source.into()).collect();
    let letters: Vec<String> = INFOS
        .iter()
        .map(|i| char::from(i.provider.id_letter).to_string())
        .collect();
    assert_eq!(distinct(names.clone()), INFOS.len(), "{names:?}");
    assert_eq!(distinct(sources.clone()), INFOS.len(), "{sources:?}");
    assert_eq!(distinct(letters.clone()), INFOS.len(), "{letters:?}");
    assert_eq!(names, NAMES);
    // The unparsed kind's letter and the other kinds' stay apart from the providers'.
    for info in INFOS {
        assert!(
            info.provider.id_letter.is_ascii_lowercase(),
            "{}",
            info.provider.name
        );
        assert!(
            !info.enabling.is_empty(),
            "{}: no enabling setting",
            info.provider.name
        );
        assert!(
            !(info.probe && info.query_callbacks),
            "{}: a GET is either a probe or a callback",
            info.provider.name
        );
        for setting in info.enabling {
            assert!(
                info.settings.contains(setting),
                "{}: {setting}",
                info.provider.name
            );
        }
    }
}

#[test]
fn every_provider_has_its_fixtures_samples_docs_and_schema_entries() {
    let [readme, dev_vars, schema, types, states, providers_doc] = [
        "README.md",
        ".dev.vars.example",
        "schema/event.schema.json",
        "schema/event.d.ts",
        "docs/delivery-states.md",
        "docs/providers.md",
    ]
    .map(|path| {
        let text = read_or_empty(path);
        assert!(!text.is_empty(), "{path} is missing");
        text
    });
    for info in INFOS {
        let name = info.provider.name;
        let missing = |part: &str| format!("provider {name}: {part}");
        assert!(
            exists(&format!("tests/data/{name}/README.md")),
            "{}",
            missing("tests/data/<provider>/README.md (its documented callbacks, with sources)")
        );
        assert!(
            exists(&format!("scripts/samples/{name}.mjs")),
            "{}",
            missing("scripts/samples/<provider>.mjs (its samples for make send-sample)")
        );
        assert!(
            providers_doc.contains(&format!("src/providers/{name}/"))
                || read_or_empty(&format!("docs/{name}-protocol.md"))
                    .contains(&format!("src/providers/{name}/")),
            "{}",
            missing("its protocol facts, naming src/providers/<provider>/, in docs/providers.md")
        );
        let capitalized = name.get(..1).unwrap().to_uppercase() + name.get(1..).unwrap();
        assert!(
            states.contains(&capitalized),
            "{}",
            missing("its status values in docs/delivery-states.md")
        );
        for quoted in [name, info.provider.source] {
            let quoted = format!("\"{quoted}\"");
            assert!(
                schema.contains(&quoted),
                "{}",
                missing(&format!("{quoted} in schema/event.schema.json"))
            );
            assert!(
                types.contains(&quoted),
                "{}",
                missing(&format!("{quoted} in schema/event.d.ts"))
            );
        }
        for setting in info.settings {
            assert!(
                readme.contains(&format!("| `{setting}` |")),
                "{}",
                missing(&format!("{setting} in the README's configuration table"))
            );
        }
        assert!(
            info.enabling
                .iter()
                .any(|setting| dev_vars.contains(&format!("{setting}="))),
            "{}",
            missing("a setting that enables it in .dev.vars.example")
        );
    }
    let answers = readme.split("## Answers").nth(1).unwrap_or_default();
    for endpoint in Endpoint::all() {
        let stored = endpoint.stored();
        assert_eq!((stored.status, stored.code), (200, "ok"), "{endpoint}");
        assert!(
            stored.body.is_empty() || answers.contains(&format!("`{}`", stored.body)),
            "provider {}: the README's answers table lacks {}'s answer {}",
            endpoint.provider().name,
            endpoint,
            stored.body
        );
        let route = format!("/{endpoint}");
        assert!(
            readme.contains(&format!("https://<worker-host>{route}")),
            "provider {}: the README's console section lacks {route}",
            endpoint.provider().name
        );
    }
}

/// An endpoint takes the media types it declares and keeps any other as `unparsed`, answered
/// `415`; a declared type's unreadable body is `400`, never `415`.
#[test]
fn every_endpoint_reads_exactly_the_media_types_it_declares() {
    let config = fuzz_config();
    for endpoint in Endpoint::all() {
        let declared = endpoint.media_types();
        assert!(!declared.is_empty(), "{endpoint}: no media type");
        for (content_type, media_type) in [
            ("application/x-www-form-urlencoded", Some(MediaType::Form)),
            ("application/json", Some(MediaType::Json)),
            ("text/plain", None),
        ] {
            let ingested = ingest(&config, endpoint, content_type, b"{x")
                .unwrap_or_else(|| panic!("{endpoint} {content_type}: not authenticated"));
            let takes = media_type.is_some_and(|media_type| declared.contains(&media_type));
            let status = ingested.reply.status;
            assert_eq!(
                status == 415,
                !takes,
                "{endpoint} {content_type}: answered {status} {}",
                ingested.reply.code
            );
            assert_eq!(
                ingested.events.len(),
                1,
                "{endpoint} {content_type}: kept whole"
            );
        }
    }
}

/// Each provider's routes are enabled by its own setting alone, and the others stay `404`.
#[test]
fn each_provider_is_enabled_by_its_settings_alone() {
    for info in INFOS {
        let vars: Vec<(&str, &str)> = sms_relay::providers::test_settings()
            .into_iter()
            .filter(|(name, _)| info.settings.contains(name))
            .collect();
        let config = Config::from_vars(&vars, Bindings::ALL);
        assert!(
            config.is_valid(),
            "{}: {:?}",
            info.provider.name,
            config.errors
        );
        assert_eq!(
            config.providers.enabled_names(),
            [info.provider.name],
            "{}",
            info.provider.name
        );
    }
    let none = Config::from_vars(&[], Bindings::ALL);
    let first = INFOS
        .first()
        .and_then(|info| info.enabling.first())
        .copied();
    assert_eq!(none.errors.first().map(|e| e.setting), first);
    let problem = none
        .errors
        .first()
        .map(|e| e.problem.clone())
        .unwrap_or_default();
    for info in INFOS {
        assert!(problem.contains(info.enabled_by), "{problem}");
    }
}

/// Where `fuzz/seed.mjs` reads the selector byte (`testing::oracle::fuzz_selector`) that
/// sends a seed to an endpoint as a content type.
const FUZZ_SELECTORS: &str = "fuzz/selectors.json";
/// Set to rewrite [`FUZZ_SELECTORS`] from the registry instead of failing on a difference.
const WRITE_FUZZ_SELECTORS: &str = "SMS_RELAY_WRITE_FUZZ_SELECTORS";

/// [`FUZZ_SELECTORS`] is `fuzz_selector` read back: for every endpoint of the registry (in
/// its order) and every content type the selector picks, the smallest byte that selects both.
#[test]
fn the_fuzz_seeds_selectors_are_the_registrys() {
    let mut content_types: Vec<&str> = Vec::new();
    let mut selectors: Vec<(String, Vec<(&str, u8)>)> = Endpoint::all()
        .into_iter()
        .map(|endpoint| (endpoint.route_name(), Vec::new()))
        .collect();
    for selector in 0..=u8::MAX {
        let (endpoint, content_type) = fuzz_selector(selector);
        if !content_types.contains(&content_type) {
            content_types.push(content_type);
        }
        let route = endpoint.route_name();
        let Some((_, by_type)) = selectors.iter_mut().find(|(name, _)| *name == route) else {
            panic!("fuzz_selector({selector}) picks {route}, which Endpoint::all() lacks");
        };
        if !by_type.iter().any(|(known, _)| *known == content_type) {
            by_type.push((content_type, selector));
        }
    }
    let json = |text: &str| serde_json::to_string(text).unwrap();
    let mut lines = Vec::new();
    for (route, by_type) in &selectors {
        for content_type in &content_types {
            assert!(
                by_type.iter().any(|(known, _)| known == content_type),
                "no selector byte sends {content_type} to {route}"
            );
        }
        let by_type: Vec<String> = by_type
            .iter()
            .map(|(content_type, selector)| format!("{}: {selector}", json(content_type)))
            .collect();
        lines.push(format!("    {}: {{ {} }}", json(route), by_type.join(", ")));
    }
    let expected = format!(
        "{{\n  \"about\": \"The first byte of a normalize or oracle fuzz input that sends the rest to each endpoint as each content type (testing::oracle::fuzz_selector), for fuzz/seed.mjs. Written and checked by tests/registry.rs: {WRITE_FUZZ_SELECTORS}=1 cargo test --test registry rewrites it.\",\n  \"selectors\": {{\n{}\n  }}\n}}\n",
        lines.join(",\n")
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FUZZ_SELECTORS);
    if std::env::var_os(WRITE_FUZZ_SELECTORS).is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    assert!(
        read_or_empty(FUZZ_SELECTORS) == expected,
        "{FUZZ_SELECTORS} is not the registry's: rewrite it with {WRITE_FUZZ_SELECTORS}=1 cargo test --test registry, then rerun node fuzz/seed.mjs"
    );
}
