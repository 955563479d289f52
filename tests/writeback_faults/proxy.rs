//! A fault-injecting HTTP proxy between Intake's FHIR connector and HFS. On a seeded schedule
//! it answers in HFS's place (500; 503, some with `Retry-After`; 429 with `Retry-After`; 422 and
//! 412 with an OperationOutcome), hangs past the client's timeout, or forwards to HFS (which
//! commits) and then fails anyway: a 502, a dropped connection, a hang. For a window it is down
//! altogether (connections refused). It records every request per change identifier, so retry
//! timing can be checked afterwards.

use std::{
    collections::{BTreeMap, HashMap},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use http_body_util::{BodyExt, Full};
use hyper::{
    Method, Request, Response, StatusCode,
    body::{Bytes, Incoming},
    header::{self, HeaderValue},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
use tokio::{net::TcpListener, sync::Notify};
use uuid::Uuid;

use crate::support::Rng;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded; HFS's answer passed on.
    Pass,
    /// 500 in HFS's place; nothing reached HFS.
    ServerError,
    /// Forwarded (HFS committed), then a 502 instead of HFS's answer, as a failing gateway.
    BadGatewayAfterCommit,
    /// 503 in HFS's place, with `Retry-After` seconds when given.
    Unavailable(Option<u64>),
    /// 429 with `Retry-After` seconds.
    TooManyRequests(u64),
    /// No answer until the client has given up; nothing reached HFS.
    Hang,
    /// Forwarded (HFS committed), then no answer until the client has given up.
    HangAfterCommit,
    /// Forwarded (HFS committed), then the connection dropped without an answer.
    DropAfterCommit,
    /// A slow EHR: no answer, and the request reaches HFS only after the client gave up, up to
    /// half a timeout later; if the client's retry comes meanwhile, both reach HFS together
    /// (whose conditional create is not safe against concurrent requests).
    SlowCommit,
    /// A gateway gives up on a slow EHR: 504 at once, while the request reaches HFS up to one
    /// client timeout later (sooner if the client's retry comes meanwhile, as above).
    GatewayTimeout,
    /// 422 with an OperationOutcome (a business rule); nothing reached HFS.
    Unprocessable,
    /// 412 with an OperationOutcome (the conditional create matched several); nothing reached HFS.
    PreconditionFailed,
    /// The proxy is down: the connection was refused, or closed unanswered.
    Outage,
}

impl Fault {
    /// The wait the answer asked for.
    pub fn retry_after(self) -> Option<Duration> {
        match self {
            Self::Unavailable(seconds) => seconds.map(Duration::from_secs),
            Self::TooManyRequests(seconds) => Some(Duration::from_secs(seconds)),
            _ => None,
        }
    }

    /// A refusal that must land the change in the exception queue.
    pub fn is_refusal(self) -> bool {
        matches!(self, Self::Unprocessable | Self::PreconditionFailed)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Pass => "passed",
            Self::ServerError => "500",
            Self::BadGatewayAfterCommit => "502 after commit",
            Self::Unavailable(None) => "503",
            Self::Unavailable(Some(_)) => "503 with Retry-After",
            Self::TooManyRequests(_) => "429 with Retry-After",
            Self::Hang => "hang",
            Self::HangAfterCommit => "hang after commit",
            Self::DropAfterCommit => "drop after commit",
            Self::SlowCommit => "commit after the client gave up",
            Self::GatewayTimeout => "504 while the EHR was still committing",
            Self::Unprocessable => "422",
            Self::PreconditionFailed => "412",
            Self::Outage => "cut by the outage",
        }
    }
}

/// The diagnostics of the OperationOutcome a refusal carries; staff must see them.
pub fn refusal_diagnostics(fault: Fault) -> &'static str {
    match fault {
        Fault::PreconditionFailed => {
            "Injected 412: the conditional create matched several resources"
        }
        _ => "Injected 422: the clinic's business rules refuse this resource",
    }
}

/// When to inject what. Weights are per thousand requests; the rest pass.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub seed: u64,
    /// The fault every change's first send meets, if any; later sends follow `writes`.
    pub first_writes: Option<Fault>,
    /// Faults on writes (POST, PUT).
    pub writes: Vec<(Fault, u64)>,
    /// Faults on reads (the searches that look for a change before it is sent again).
    pub reads: Vec<(Fault, u64)>,
    /// Down from this long after the proxy starts, for this long.
    pub outage: Option<(Duration, Duration)>,
    /// The client's timeout; a hang lasts three times as long.
    pub client_timeout: Duration,
    /// Added to every forwarded answer, to widen the window between HFS's commit and Intake's.
    pub latency: Duration,
}

impl Schedule {
    /// Every request passes, after `latency`.
    pub fn latency_only(latency: Duration) -> Self {
        Self {
            seed: 0,
            first_writes: None,
            writes: Vec::new(),
            reads: Vec::new(),
            outage: None,
            client_timeout: Duration::ZERO,
            latency,
        }
    }
}

/// One request, as the proxy saw it.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub arrived: Instant,
    /// When the answer (or the drop) went out.
    pub answered: Instant,
    pub write: bool,
    pub fault: Fault,
}

#[derive(Debug)]
struct State {
    upstream: String,
    client: reqwest::Client,
    schedule: Schedule,
    rng: Mutex<Rng>,
    outage: Option<(Instant, Instant)>,
    by_change: Mutex<HashMap<Uuid, Vec<Seen>>>,
    counts: Mutex<BTreeMap<&'static str, u64>>,
    /// Slow commits not yet forwarded, by change: released early by the change's next send.
    parked: Mutex<HashMap<Uuid, Arc<Notify>>>,
}

impl State {
    fn in_outage(&self, at: Instant) -> bool {
        self.outage
            .is_some_and(|(start, end)| at >= start && at < end)
    }

    fn decide(&self, write: bool) -> Fault {
        let table = if write {
            &self.schedule.writes
        } else {
            &self.schedule.reads
        };
        let mut roll = self.rng.lock().unwrap().below(1000);
        for (fault, weight) in table {
            if roll < *weight {
                return *fault;
            }
            roll -= weight;
        }
        Fault::Pass
    }

    fn has_written(&self, change: Uuid) -> bool {
        self.by_change
            .lock()
            .unwrap()
            .get(&change)
            .is_some_and(|seen| seen.iter().any(|s| s.write))
    }

    fn record(&self, change: Option<Uuid>, seen: Seen) {
        *self
            .counts
            .lock()
            .unwrap()
            .entry(seen.fault.name())
            .or_default() += 1;
        if let Some(change) = change {
            self.by_change
                .lock()
                .unwrap()
                .entry(change)
                .or_default()
                .push(seen);
        }
    }
}

/// The connection is closed without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dropped by the fault proxy")
    }
}

impl std::error::Error for Dropped {}

type Answer = Result<Response<Full<Bytes>>, Dropped>;

/// A running proxy; stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    pub url: String,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// Starts a proxy to `upstream` on a free loopback port.
    pub async fn start(upstream: &str, schedule: Schedule) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let now = Instant::now();
        let state = Arc::new(State {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: crate::support::http(),
            rng: Mutex::new(Rng::new(schedule.seed)),
            outage: schedule
                .outage
                .map(|(from, length)| (now + from, now + from + length)),
            schedule,
            by_change: Mutex::default(),
            counts: Mutex::default(),
            parked: Mutex::default(),
        });
        let task = tokio::spawn(accept(listener, addr, state.clone()));
        Self {
            url: format!("http://{addr}"),
            state,
            task,
        }
    }

    /// Requests by what was done with them.
    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.state.counts.lock().unwrap().clone()
    }

    /// The faults injected, as `n name, n name`, and the outage.
    pub fn describe_faults(&self) -> String {
        let mut faults: Vec<String> = self
            .counts()
            .into_iter()
            .filter(|(name, _)| *name != "passed")
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        if let Some((_, length)) = self.state.schedule.outage {
            faults.push(format!(
                "a {}s outage (connections refused)",
                length.as_secs()
            ));
        }
        faults.join(", ")
    }

    /// Requests that came for a change before the `Retry-After` of its previous answer had
    /// elapsed, as (change, how early).
    pub fn early_retries(&self) -> Vec<(Uuid, Duration)> {
        let by_change = self.state.by_change.lock().unwrap();
        let mut early = Vec::new();
        for (change, seen) in by_change.iter() {
            let mut seen = seen.clone();
            seen.sort_by_key(|s| s.arrived);
            for pair in seen.windows(2) {
                if let Some(wait) = pair[0].fault.retry_after() {
                    let allowed = pair[0].answered + wait;
                    if pair[1].arrived < allowed {
                        early.push((*change, allowed - pair[1].arrived));
                    }
                }
            }
        }
        early
    }

    /// The changes whose write was refused with a 4xx, and with which.
    pub fn refused(&self) -> HashMap<Uuid, Fault> {
        let by_change = self.state.by_change.lock().unwrap();
        by_change
            .iter()
            .filter_map(|(change, seen)| {
                seen.iter()
                    .find(|s| s.write && s.fault.is_refusal())
                    .map(|s| (*change, s.fault))
            })
            .collect()
    }
}

/// Serves connections, closing the listener for the outage window (connections are refused)
/// and opening it again on the same port afterwards.
async fn accept(mut listener: TcpListener, addr: SocketAddr, state: Arc<State>) {
    loop {
        let now = Instant::now();
        if let Some((start, end)) = state.outage {
            if state.in_outage(now) {
                drop(listener);
                tokio::time::sleep_until(end.into()).await;
                listener = TcpListener::bind(addr)
                    .await
                    .expect("the proxy takes its port back after the outage");
                continue;
            }
            if now < start {
                tokio::select! {
                    accepted = listener.accept() => serve(accepted, &state),
                    () = tokio::time::sleep_until(start.into()) => {}
                }
                continue;
            }
        }
        serve(listener.accept().await, &state);
    }
}

fn serve(accepted: std::io::Result<(tokio::net::TcpStream, SocketAddr)>, state: &Arc<State>) {
    let Ok((stream, _)) = accepted else { return };
    let state = state.clone();
    tokio::spawn(async move {
        let service = service_fn(move |request| handle(state.clone(), request));
        drop(
            http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await,
        );
    });
}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Answer {
    let arrived = Instant::now();
    let (parts, body) = request.into_parts();
    let change = change_of(&parts);
    let write = parts.method == Method::POST || parts.method == Method::PUT;
    // A connection opened before the outage is closed unanswered during it.
    // Only requests about a change meet faults: the patient and chart reads are not the test.
    let fault = if state.in_outage(arrived) {
        Fault::Outage
    } else if let Some(change) = change {
        match state.schedule.first_writes {
            Some(fault) if write && !state.has_written(change) => fault,
            _ => state.decide(write),
        }
    } else {
        Fault::Pass
    };
    let seen = Seen {
        arrived,
        answered: arrived,
        write,
        fault,
    };
    // Recorded now, as a client that gives up cancels the rest; an answer asking the client to
    // wait is recorded when it goes out, below, since the wait counts from then.
    if fault.retry_after().is_none() {
        state.record(change, seen);
    }
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    // A slow commit still under way reaches HFS together with this send of the same change.
    if write && let Some(change) = change {
        let parked = state.parked.lock().unwrap().remove(&change);
        if let Some(release) = parked {
            release.notify_one();
            *state
                .counts
                .lock()
                .unwrap()
                .entry("of them overlapped by the retry")
                .or_default() += 1;
        }
    }
    let hang = state.schedule.client_timeout * 3;
    let answer = match fault {
        Fault::Pass => forward(&state, &parts, body).await,
        Fault::ServerError => Ok(outcome(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "Injected 500",
        )),
        Fault::BadGatewayAfterCommit => {
            drop(forward(&state, &parts, body).await);
            Ok(plain(StatusCode::BAD_GATEWAY, "Bad Gateway"))
        }
        Fault::Unavailable(retry_after) => {
            let mut response =
                outcome(StatusCode::SERVICE_UNAVAILABLE, "transient", "Injected 503");
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            Ok(response)
        }
        Fault::TooManyRequests(seconds) => {
            let mut response = outcome(StatusCode::TOO_MANY_REQUESTS, "throttled", "Injected 429");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            Ok(response)
        }
        Fault::Hang => {
            tokio::time::sleep(hang).await;
            Err(Dropped)
        }
        Fault::HangAfterCommit => {
            drop(forward(&state, &parts, body).await);
            tokio::time::sleep(hang).await;
            Err(Dropped)
        }
        Fault::SlowCommit => {
            park(
                &state,
                change,
                parts,
                body,
                state.schedule.client_timeout * 3 / 2,
            );
            tokio::time::sleep(hang).await;
            Err(Dropped)
        }
        Fault::GatewayTimeout => {
            park(&state, change, parts, body, state.schedule.client_timeout);
            Ok(plain(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout"))
        }
        Fault::DropAfterCommit => {
            drop(forward(&state, &parts, body).await);
            Err(Dropped)
        }
        Fault::Unprocessable => Ok(outcome(
            StatusCode::UNPROCESSABLE_ENTITY,
            "business-rule",
            refusal_diagnostics(fault),
        )),
        Fault::PreconditionFailed => Ok(outcome(
            StatusCode::PRECONDITION_FAILED,
            "multiple-matches",
            refusal_diagnostics(fault),
        )),
        Fault::Outage => Err(Dropped),
    };
    if fault.retry_after().is_some() {
        let answered = Instant::now();
        state.record(change, Seen { answered, ..seen });
    }
    answer
}

/// Forwards the request later, apart from the client's connection (the EHR goes on after the
/// client gives up): `latest` from now, or as soon as the change's next send arrives, so that
/// both reach HFS together.
fn park(
    state: &Arc<State>,
    change: Option<Uuid>,
    parts: hyper::http::request::Parts,
    body: Bytes,
    latest: Duration,
) {
    let release = Arc::new(Notify::new());
    if let Some(change) = change {
        state.parked.lock().unwrap().insert(change, release.clone());
    }
    let state = state.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = release.notified() => {}
            () = tokio::time::sleep(latest) => {}
        }
        if let Some(change) = change {
            state.parked.lock().unwrap().remove(&change);
        }
        drop(forward(&state, &parts, body).await);
    });
}

/// The change a request is about: a send carries its identifier as `X-Request-Id`; a lookup
/// names it in the identifier search, or (a Provenance) as the id it reads.
fn change_of(parts: &hyper::http::request::Parts) -> Option<Uuid> {
    if parts.method != Method::GET {
        return parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v).ok());
    }
    let path = parts.uri.path();
    if let Some(id) = path.strip_prefix("/Provenance/") {
        return Uuid::parse_str(id).ok();
    }
    let query = parts.uri.query()?;
    let decoded = percent_decode(query);
    let (_, rest) = decoded.split_once("identifier=urn:ietf:rfc:3986|urn:uuid:")?;
    Uuid::parse_str(rest.get(..36)?).ok()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends the request on to HFS and passes its answer back (after the schedule's latency).
async fn forward(state: &State, parts: &hyper::http::request::Parts, body: Bytes) -> Answer {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = state
        .client
        .request(parts.method.clone(), format!("{}{path}", state.upstream))
        .body(body);
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "connection" | "transfer-encoding"
        ) {
            request = request.header(name, value);
        }
    }
    let upstream = request.send().await.map_err(|_| Dropped)?;
    let status = upstream.status();
    let headers = upstream.headers().clone();
    let body = upstream.bytes().await.map_err(|_| Dropped)?;
    tokio::time::sleep(state.schedule.latency).await;
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    for name in [
        header::CONTENT_TYPE,
        header::LOCATION,
        header::ETAG,
        header::LAST_MODIFIED,
    ] {
        if let Some(value) = headers.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    Ok(response)
}

fn outcome(status: StatusCode, code: &str, diagnostics: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": diagnostics }],
    });
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+json"),
    );
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}
