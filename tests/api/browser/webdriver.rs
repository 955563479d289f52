//! The few W3C WebDriver commands the browser tests use, over the tests' own reqwest.
//!
//! Why not thirtyfour: it turns on serde_json's `preserve_order`, and Cargo unifies a
//! dev-dependency's features into the library the tests build, so every test would run an app
//! whose JSON maps differ from the shipped one (prefill from the chart came back empty).
//! <https://www.w3.org/TR/webdriver2/>

use std::{io::Write, time::Duration};

use serde_json::{Value, json};

/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// What chromedriver answered instead of a value.
#[derive(Debug)]
pub struct WebDriverError(pub String);

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One element of the page, by WebDriver's reference.
#[derive(Debug, Clone)]
pub struct Element(String);

/// A browser session. Quit it with [`Session::quit`]; a test that panics first ends it on drop.
#[derive(Debug)]
pub struct Session {
    http: reqwest::Client,
    /// `http://host:port/session/<id>`.
    url: String,
    quit: bool,
}

impl Session {
    /// Starts a browser with these capabilities (`alwaysMatch`).
    pub async fn start(driver: &str, capabilities: Value) -> Result<Self, WebDriverError> {
        let http = reqwest::Client::builder()
            // A stuck command fails in seconds, not minutes.
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| WebDriverError(e.to_string()))?;
        let body = json!({"capabilities": {"alwaysMatch": capabilities}});
        let value = send(http.post(format!("{driver}/session")).json(&body)).await?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| WebDriverError(format!("no session id in {value}")))?;
        Ok(Self {
            http,
            url: format!("{driver}/session/{id}"),
            quit: false,
        })
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, WebDriverError> {
        send(self.http.post(format!("{}{path}", self.url)).json(&body)).await
    }

    async fn get(&self, path: &str) -> Result<Value, WebDriverError> {
        send(self.http.get(format!("{}{path}", self.url))).await
    }

    /// Sets how long an asynchronous script may take.
    pub async fn script_timeout(&self, timeout: Duration) -> Result<(), WebDriverError> {
        let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.post("/timeouts", json!({"script": millis}))
            .await
            .map(drop)
    }

    /// Opens a URL and waits for it to load.
    pub async fn goto(&self, url: &str) -> Result<(), WebDriverError> {
        self.post("/url", json!({"url": url})).await.map(drop)
    }

    /// The elements `css` matches, in document order.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, WebDriverError> {
        let found = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_owned())))
            .collect())
    }

    /// The first element `css` matches, if any.
    pub async fn find(&self, css: &str) -> Result<Option<Element>, WebDriverError> {
        Ok(self.find_all(css).await?.into_iter().next())
    }

    /// Clicks the element as a pointer would (and waits for a page load it starts).
    pub async fn click(&self, element: &Element) -> Result<(), WebDriverError> {
        self.post(&format!("/element/{}/click", element.0), json!({}))
            .await
            .map(drop)
    }

    /// Empties a text field.
    pub async fn clear(&self, element: &Element) -> Result<(), WebDriverError> {
        self.post(&format!("/element/{}/clear", element.0), json!({}))
            .await
            .map(drop)
    }

    /// Types into the element, key by key.
    pub async fn send_keys(&self, element: &Element, text: &str) -> Result<(), WebDriverError> {
        self.post(
            &format!("/element/{}/value", element.0),
            json!({"text": text}),
        )
        .await
        .map(drop)
    }

    /// The element's rendered text.
    pub async fn text(&self, element: &Element) -> Result<String, WebDriverError> {
        let value = self.get(&format!("/element/{}/text", element.0)).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// A DOM property (`value`, `checked`), as JSON.
    pub async fn property(&self, element: &Element, name: &str) -> Result<Value, WebDriverError> {
        self.get(&format!("/element/{}/property/{name}", element.0))
            .await
    }

    /// An HTML attribute, if present.
    pub async fn attribute(
        &self,
        element: &Element,
        name: &str,
    ) -> Result<Option<String>, WebDriverError> {
        let value = self
            .get(&format!("/element/{}/attribute/{name}", element.0))
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// Runs a script's body with `arguments` and returns what it returns.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, WebDriverError> {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    /// Runs a script whose last argument is the callback that ends it with a value.
    pub async fn execute_async(
        &self,
        script: &str,
        args: Vec<Value>,
    ) -> Result<Value, WebDriverError> {
        self.post("/execute/async", json!({"script": script, "args": args}))
            .await
    }

    /// Performs input actions (pointer moves, presses, releases) as one sequence, then
    /// releases whatever is still pressed.
    pub async fn perform_actions(&self, actions: Value) -> Result<(), WebDriverError> {
        self.post("/actions", json!({"actions": actions})).await?;
        send(self.http.delete(format!("{}/actions", self.url)))
            .await
            .map(drop)
    }

    /// The element's reference as an action's `origin` takes it.
    pub fn origin(element: &Element) -> Value {
        json!({ ELEMENT: element.0 })
    }

    /// The page as the screen shows it, a PNG.
    pub async fn screenshot(&self) -> Result<Vec<u8>, WebDriverError> {
        use base64::Engine as _;
        let encoded = self.get("/screenshot").await?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .map_err(|e| WebDriverError(format!("the screenshot is not base64: {e}")))
    }

    /// Runs a Chrome DevTools command (chromedriver's `goog/cdp/execute`).
    pub async fn devtools(&self, command: &str, params: Value) -> Result<Value, WebDriverError> {
        self.post(
            "/goog/cdp/execute",
            json!({"cmd": command, "params": params}),
        )
        .await
    }

    /// Closes the browser.
    pub async fn quit(mut self) -> Result<(), WebDriverError> {
        self.quit = true;
        send(self.http.delete(&self.url)).await.map(drop)
    }
}

impl Drop for Session {
    /// A test that panicked still closes its browser: a plain blocking `DELETE`, since no
    /// runtime can be relied on here.
    fn drop(&mut self) {
        if self.quit {
            return;
        }
        let Some(rest) = self.url.strip_prefix("http://") else {
            return;
        };
        let Some((host, path)) = rest.split_once('/') else {
            return;
        };
        if let Ok(mut stream) = std::net::TcpStream::connect(host) {
            drop(stream.set_read_timeout(Some(Duration::from_secs(10))));
            let request =
                format!("DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            if stream.write_all(request.as_bytes()).is_ok() {
                // Wait for the answer, so the browser is gone before the test binary exits.
                drop(std::io::Read::read(&mut stream, &mut [0; 256]));
            }
        }
    }
}

/// Sends a command and unwraps WebDriver's `{"value": ...}`, turning its errors into ours.
async fn send(request: reqwest::RequestBuilder) -> Result<Value, WebDriverError> {
    let response = request
        .send()
        .await
        .map_err(|e| WebDriverError(format!("chromedriver did not answer: {e}")))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|e| WebDriverError(format!("chromedriver answered {status} without JSON: {e}")))?;
    let value = body.get("value").cloned().unwrap_or(Value::Null);
    if status.is_success() {
        Ok(value)
    } else {
        let error = value["error"].as_str().unwrap_or("error");
        let message = value["message"].as_str().unwrap_or_default();
        let first_line = message.lines().next().unwrap_or_default();
        Err(WebDriverError(format!("{error}: {first_line}")))
    }
}
