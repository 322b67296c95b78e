//! The hot-path ratios measured in WebAssembly, as the worker runs them: built for
//! `wasm32-wasip1` and run under Node's WASI by `make bench`. Prints one JSON object:
//! `{"<case>": {"floor_ns": …, "ids_ns": …, "path_ns": …}}`, medians of timed rounds: the
//! verifier's hashes, the events' id hashes, and the whole path.
//!
//! Criterion does not run in wasm, so this times rounds itself; the numbers are only ever
//! read as ratios of two measurements taken in the same process.

use std::hint::black_box;
use std::time::Instant;

use sms_relay::testing::bench::fixture;

/// Median nanoseconds per call of `work`, over `rounds` rounds of `per_round` calls.
fn median_ns(rounds: usize, per_round: u32, mut work: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..per_round {
                work();
            }
            started.elapsed().as_nanos() as f64 / f64::from(per_round)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let fixture = fixture();
    let quick = std::env::args().any(|arg| arg == "--quick");
    let (rounds, per_round) = if quick { (3, 5) } else { (31, 200) };
    let mut out = Vec::new();
    for case in &fixture.cases {
        if !case.ingests(&fixture) {
            eprintln!("{} is not accepted whole", case.name);
            std::process::exit(1);
        }
        // Warm up both before timing either.
        median_ns(3, per_round, || {
            black_box(case.floor());
        });
        median_ns(3, per_round, || drop(black_box(case.ingest(&fixture))));
        let floor = median_ns(rounds, per_round, || {
            black_box(case.floor());
        });
        let ids = median_ns(rounds, per_round, || {
            black_box(case.id_hashes());
        });
        let path = median_ns(rounds, per_round, || drop(black_box(case.ingest(&fixture))));
        out.push(format!(
            r#""{}":{{"floor_ns":{floor:.0},"ids_ns":{ids:.0},"path_ns":{path:.0}}}"#,
            case.name
        ));
    }
    println!("{{{}}}", out.join(","));
}
