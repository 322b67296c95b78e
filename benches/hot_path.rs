//! The per-push CPU cost of the pure core: verify + parse + normalize, each measured beside
//! its floor, the hashing no verifier can skip (SHA-256 of the body, SHA-256 of the canonical
//! request, one HMAC-SHA256). `make bench` (bench/run.mjs) prints each path as a multiple of
//! its floor, reading Criterion's `<case>/floor` and `<case>/ingest` estimates.

use criterion::{criterion_group, criterion_main, Criterion};
use sms_relay::testing::bench::fixture;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let fixture = fixture();
    assert!(fixture.config.is_valid(), "{:?}", fixture.config.errors);
    for case in &fixture.cases {
        assert!(
            case.ingests(&fixture),
            "{} is not accepted whole",
            case.name
        );

        let mut group = c.benchmark_group(case.name);
        group.bench_function("floor", |b| b.iter(|| black_box(case).floor()));
        group.bench_function("ingest", |b| {
            b.iter(|| black_box(case).ingest(&fixture).events.len())
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
