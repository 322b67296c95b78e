//! Limits on what one request may make the worker do: `MAX_BODY_BYTES`.

use crate::settings::Reader;
use crate::sinks::{max_body_bytes, SinkSettings};
use std::fmt;

/// Huawei's largest push, a batch of 50 reports, is about 20 KB; Alibaba documents no maximum,
/// and a push of 1,000 of its receipts is about 230 KB. 1 MiB leaves room and fits every sink
/// (the queue's ceiling is about 1.4 MiB, an unreadable body kept in up to 16 pieces, see
/// [`max_body_bytes`]).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1_048_576;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_body_bytes: usize,
}

/// `MAX_BODY_BYTES` over what the configured sinks can hold whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimitTooLarge {
    pub ceiling: usize,
}

impl fmt::Display for BodyLimitTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "must be from 1 to {} with these sinks: a body the relay cannot read is stored whole, \
             in base64, in at most 16 events, each of which must fit one queue message (128 KB) \
             or KV value (25 MiB)",
            self.ceiling
        )
    }
}

impl std::error::Error for BodyLimitTooLarge {}

impl Limits {
    pub fn read(reader: &mut Reader<'_>, sinks: &SinkSettings) -> Limits {
        let ceiling = max_body_bytes(&sinks.enabled);
        let max = reader.parse("MAX_BODY_BYTES", |raw| {
            raw.parse::<usize>()
                .ok()
                .filter(|n| (1..=ceiling).contains(n))
                .ok_or(BodyLimitTooLarge { ceiling })
        });
        Limits {
            max_body_bytes: max.unwrap_or(DEFAULT_MAX_BODY_BYTES.min(ceiling)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Limits;
    use crate::settings::{read_vars, Bindings};
    use crate::sinks::{max_body_bytes, Sink, SinkSettings};

    fn load(forward: &str, max: &str) -> (Limits, Vec<&'static str>) {
        let vars = [("FORWARD", forward), ("MAX_BODY_BYTES", max)];
        let (limits, errors) = read_vars(&vars, |reader| {
            let sinks = SinkSettings::read(reader, Bindings::ALL);
            Limits::read(reader, &sinks)
        });
        (limits, errors.iter().map(|e| e.setting).collect())
    }

    #[test]
    fn the_ceiling_follows_the_sinks() {
        let queue = max_body_bytes(&[Sink::Queue]);
        assert_eq!(queue, 16 * 92_928);
        assert_eq!(
            load("queue", &queue.to_string()),
            (
                Limits {
                    max_body_bytes: queue
                },
                vec![]
            )
        );
        assert_eq!(
            load("queue,kv", &(queue + 1).to_string()).1,
            ["MAX_BODY_BYTES"]
        );
        assert!(load("kv", "1048576").1.is_empty(), "KV holds megabytes");
        assert_eq!(load("kv", "0").1, ["MAX_BODY_BYTES"]);
    }
}
