//! The process's metrics in the Prometheus exposition format (OpenMetrics text), through
//! `prometheus-client`: counters and histograms this process records as it works, and gauges
//! read from the database at each scrape. Counts and times only, never patient data: every
//! label value comes from a fixed set (route templates, states, channels, resource types).

use std::time::Duration;

use prometheus_client::{
    encoding::{EncodeLabelSet, text},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
        info::Info,
    },
    registry::Registry,
};

/// The upper bounds of the EHR send histogram, in seconds (as before `prometheus-client`).
const EHR_BUCKETS: [f64; 9] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// A request's route template (never the path itself: paths carry tokens), method and status
/// class (`2xx`…`5xx`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    route: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResourceLabels {
    resource_type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabels {
    channel: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

/// What this process counts as it works.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_seconds: Family<HttpLabels, Histogram>,
    ehr_requests: Family<ResourceLabels, Counter>,
    ehr_failures: Family<ResourceLabels, Counter>,
    ehr_seconds: Histogram,
    messages_sent: Family<ChannelLabels, Counter>,
    messages_failed: Family<ChannelLabels, Counter>,
    retention_deleted: Family<KindLabels, Counter>,
}

fn http_histogram() -> Histogram {
    // 5 ms to about 10 s.
    Histogram::new(exponential_buckets(0.005, 2.0, 12))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "intake_http_requests",
            "HTTP requests answered, by route template, method and status class",
            http_requests.clone(),
        );
        let http_seconds =
            Family::<HttpLabels, Histogram>::new_with_constructor(http_histogram as fn() -> _);
        registry.register(
            "intake_http_request_duration_seconds",
            "How long HTTP requests took to answer, by route template, method and status class",
            http_seconds.clone(),
        );
        let ehr_requests = Family::<ResourceLabels, Counter>::default();
        registry.register(
            "intake_ehr_requests",
            "Sends to the EHR by the write-back worker in this process, by resource type",
            ehr_requests.clone(),
        );
        let ehr_failures = Family::<ResourceLabels, Counter>::default();
        registry.register(
            "intake_ehr_request_failures",
            "Sends that did not succeed, by resource type",
            ehr_failures.clone(),
        );
        let ehr_seconds = Histogram::new(EHR_BUCKETS);
        registry.register(
            "intake_ehr_request_seconds",
            "How long sends to the EHR took",
            ehr_seconds.clone(),
        );
        let messages_sent = Family::<ChannelLabels, Counter>::default();
        registry.register(
            "intake_messages_sent",
            "Messages to patients the gateway took, by channel (email, sms, log)",
            messages_sent.clone(),
        );
        let messages_failed = Family::<ChannelLabels, Counter>::default();
        registry.register(
            "intake_messages_failed",
            "Messages to patients that failed for good, by channel",
            messages_failed.clone(),
        );
        let retention_deleted = Family::<KindLabels, Counter>::default();
        registry.register(
            "intake_retention_deleted",
            "What the retention purge deleted, by kind (drafts, answers, codes, sessions)",
            retention_deleted.clone(),
        );
        registry.register(
            "intake_build",
            "The running version of Intake",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        Self {
            registry,
            http_requests,
            http_seconds,
            ehr_requests,
            ehr_failures,
            ehr_seconds,
            messages_sent,
            messages_failed,
            retention_deleted,
        }
    }
}

impl Metrics {
    /// Records one answered request. `route` is the matched route template, or `unmatched`.
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let labels = HttpLabels {
            route: route.to_owned(),
            method: method.to_owned(),
            status: format!("{}xx", status / 100),
        };
        self.http_requests.get_or_create(&labels).inc();
        self.http_seconds
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// Records one send of a change to the EHR.
    pub fn ehr_send(&self, resource_type: &str, took: Duration, succeeded: bool) {
        let labels = ResourceLabels {
            resource_type: resource_type.to_owned(),
        };
        self.ehr_requests.get_or_create(&labels).inc();
        if !succeeded {
            self.ehr_failures.get_or_create(&labels).inc();
        }
        self.ehr_seconds.observe(took.as_secs_f64());
    }

    /// Records a message the gateway took (`sent`) or that failed for good.
    pub fn message_finished(&self, channel: &str, sent: bool) {
        let labels = ChannelLabels {
            channel: channel.to_owned(),
        };
        if sent {
            self.messages_sent.get_or_create(&labels).inc();
        } else {
            self.messages_failed.get_or_create(&labels).inc();
        }
    }

    /// Adds what one purge deleted of a kind.
    pub fn retention_deleted(&self, kind: &str, count: u64) {
        self.retention_deleted
            .get_or_create(&KindLabels {
                kind: kind.to_owned(),
            })
            .inc_by(count);
    }

    /// The exposition: this process's families, then `scraped` (gauges read for this scrape).
    pub fn encode(&self, scraped: &Scraped) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        text::encode_registry(&mut text, &self.registry)?;
        text::encode_registry(&mut text, &scraped.registry)?;
        text::encode_eof(&mut text)?;
        Ok(text)
    }
}

/// Gauges read from the database (and the pool) for one scrape: the state of the whole
/// deployment, the same from every process.
#[derive(Debug, Default)]
pub struct Scraped {
    registry: Registry,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChangeLabels {
    state: String,
    resource_type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    purpose: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

type SecondsGauge = Gauge<f64, std::sync::atomic::AtomicU64>;

fn seconds(value: f64) -> SecondsGauge {
    let gauge = SecondsGauge::default();
    gauge.set(value);
    gauge
}

fn family<L: Clone + std::hash::Hash + Eq>(
    rows: impl IntoIterator<Item = (L, i64)>,
) -> Family<L, Gauge> {
    let family = Family::<L, Gauge>::default();
    for (labels, count) in rows {
        family.get_or_create(&labels).set(count);
    }
    family
}

impl Scraped {
    /// Proposed changes by state and resource type (the write-back backlog and exceptions).
    pub fn proposed_changes(&mut self, rows: &[(String, String, i64)]) {
        self.registry.register(
            "intake_proposed_changes",
            "Proposed chart changes by state (held and failed wait for staff; queued and sending are the outbox; posted are on the chart)",
            family(rows.iter().map(|(state, resource_type, count)| {
                (
                    ChangeLabels {
                        state: state.clone(),
                        resource_type: resource_type.clone(),
                    },
                    *count,
                )
            })),
        );
    }

    /// How long the oldest change waiting for staff, and the oldest in the outbox, have waited.
    pub fn oldest(&mut self, exception_seconds: f64, queued_seconds: f64) {
        self.registry.register(
            "intake_oldest_exception_age_seconds",
            "How long the oldest change waiting for staff has waited",
            seconds(exception_seconds),
        );
        self.registry.register(
            "intake_writeback_oldest_queued_age_seconds",
            "How long the oldest change in the write-back outbox (queued or sending) has waited; 0 when it is empty",
            seconds(queued_seconds),
        );
    }

    /// Messages to patients by purpose and state.
    pub fn messages(&mut self, rows: &[(String, String, i64)]) {
        self.registry.register(
            "intake_messages",
            "Messages to patients by purpose and state (queued and sending are the message outbox; failed ones keep the gateway's words for staff)",
            family(rows.iter().map(|(purpose, state, count)| {
                (
                    MessageLabels {
                        purpose: purpose.clone(),
                        state: state.clone(),
                    },
                    *count,
                )
            })),
        );
    }

    /// Urgent flags nobody has acknowledged, and how long the oldest has waited.
    pub fn unacknowledged_flags(&mut self, count: i64, oldest_seconds: f64) {
        let open = Gauge::<i64>::default();
        open.set(count);
        self.registry.register(
            "intake_urgent_flags_unacknowledged",
            "Urgent flags nobody has acknowledged yet",
            open,
        );
        self.registry.register(
            "intake_urgent_flag_oldest_unacknowledged_age_seconds",
            "How long the oldest unacknowledged urgent flag has waited; 0 when there is none",
            seconds(oldest_seconds),
        );
    }

    /// Invitations by state (`open`, `expired`, `locked`, `submitted`, `revoked`).
    pub fn invitations(&mut self, rows: &[(String, i64)]) {
        self.registry.register(
            "intake_invitations",
            "Invitation links by state (an open link past its expiry counts as expired)",
            family(rows.iter().map(|(state, count)| {
                (
                    StateLabels {
                        state: state.clone(),
                    },
                    *count,
                )
            })),
        );
    }

    /// The database connection pool of this process.
    pub fn pool(&mut self, pool: crate::store::PoolUse) {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.registry.register(
            "intake_db_pool_connections",
            "Database connections of this process's pool, in use and idle",
            family([
                (
                    StateLabels {
                        state: "in_use".into(),
                    },
                    count(pool.in_use),
                ),
                (
                    StateLabels {
                        state: "idle".into(),
                    },
                    count(pool.idle),
                ),
            ]),
        );
        let max = Gauge::<i64>::default();
        max.set(count(pool.max));
        self.registry.register(
            "intake_db_pool_max_connections",
            "The most connections this process's pool opens; in use at the maximum means requests wait",
            max,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_template_and_status_class() {
        let metrics = Metrics::default();
        metrics.http_request("/i/{token}", "GET", 200, Duration::from_millis(12));
        metrics.http_request("/i/{token}", "GET", 404, Duration::from_millis(3));
        metrics.http_request("/i/{token}", "GET", 204, Duration::from_millis(3));
        let text = metrics.encode(&Scraped::default()).unwrap();
        assert!(
            text.contains(
                "intake_http_requests_total{route=\"/i/{token}\",method=\"GET\",status=\"2xx\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains("intake_http_request_duration_seconds_count{route=\"/i/{token}\",method=\"GET\",status=\"4xx\"} 1"),
            "{text}"
        );
        assert!(text.contains("intake_build_info{version=\""), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn sends_count_by_type_and_fall_into_every_bucket_at_or_above_their_time() {
        let metrics = Metrics::default();
        metrics.ehr_send("AllergyIntolerance", Duration::from_millis(80), true);
        metrics.ehr_send("AllergyIntolerance", Duration::from_secs(3), false);
        let text = metrics.encode(&Scraped::default()).unwrap();
        for line in [
            "intake_ehr_requests_total{resource_type=\"AllergyIntolerance\"} 2",
            "intake_ehr_request_failures_total{resource_type=\"AllergyIntolerance\"} 1",
            "intake_ehr_request_seconds_bucket{le=\"0.05\"} 0",
            "intake_ehr_request_seconds_bucket{le=\"0.1\"} 1",
            "intake_ehr_request_seconds_bucket{le=\"2.5\"} 1",
            "intake_ehr_request_seconds_bucket{le=\"5.0\"} 2",
            "intake_ehr_request_seconds_bucket{le=\"+Inf\"} 2",
            "intake_ehr_request_seconds_count 2",
        ] {
            assert!(text.contains(line), "{line} not in {text}");
        }
    }

    /// An exposition with a sample in every family Intake exports.
    fn every_family() -> String {
        let metrics = Metrics::default();
        metrics.http_request("/healthz", "GET", 200, Duration::from_millis(1));
        metrics.ehr_send("Observation", Duration::from_millis(1), false);
        metrics.message_finished("email", true);
        metrics.message_finished("sms", false);
        metrics.retention_deleted("draft", 1);
        let mut scraped = Scraped::default();
        scraped.proposed_changes(&[("queued".into(), "Observation".into(), 1)]);
        scraped.oldest(1.0, 1.0);
        scraped.unacknowledged_flags(1, 1.0);
        scraped.messages(&[("urgent_alert".into(), "queued".into(), 1)]);
        scraped.invitations(&[("open".into(), 1)]);
        scraped.pool(crate::store::PoolUse {
            in_use: 1,
            idle: 1,
            max: 2,
        });
        metrics.encode(&scraped).unwrap()
    }

    /// The `intake_*` names a PromQL text uses.
    fn names_in(text: &str) -> std::collections::BTreeSet<String> {
        let mut names = std::collections::BTreeSet::new();
        for (start, _) in text.match_indices("intake_") {
            let preceded = text[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            let name: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !preceded {
                names.insert(name);
            }
        }
        names
    }

    #[test]
    fn the_dashboard_and_the_alerts_name_only_metrics_intake_exports() {
        let exposition = every_family();
        let exported: std::collections::BTreeSet<&str> = exposition
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split(['{', ' ']).next())
            .collect();
        let dashboard: serde_json::Value =
            serde_json::from_str(include_str!("../../deploy/grafana/intake.json"))
                .expect("the dashboard is JSON");
        let mut exprs = String::new();
        for panel in dashboard["panels"].as_array().expect("panels") {
            for target in panel["targets"].as_array().expect("targets") {
                exprs.push_str(target["expr"].as_str().expect("expr"));
                exprs.push('\n');
            }
        }
        let alerts = include_str!("../../deploy/prometheus/alerts.yaml");
        let used: Vec<String> = names_in(&exprs)
            .into_iter()
            .chain(names_in(alerts))
            .collect();
        assert!(used.len() > 10, "{used:?}");
        for name in used {
            assert!(
                exported.contains(name.as_str()),
                "{name} is not exported: {exported:?}"
            );
        }
    }
}
