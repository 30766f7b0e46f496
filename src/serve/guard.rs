//! Every request passes here first: the Host must be the bound address
//! (a page of another site cannot reach the workbench through its own
//! name: DNS rebinding), the token must be in the address or the cookie,
//! and a POST or PUT must come from the workbench's own pages.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::App;

/// Compare two secrets in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn query_token(req: &Request) -> Option<&str> {
    req.uri()
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
}

fn cookie_token<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(name)?.strip_prefix('='))
}

/// The request comes from a page of the workbench: its Origin (or, where a
/// browser sends none, its Referer) is the workbench's own.
fn same_origin(req: &Request, origin: &str) -> bool {
    let h = req.headers();
    if let Some(o) = h.get(header::ORIGIN) {
        return o.to_str().is_ok_and(|o| o == origin);
    }
    h.get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .is_some_and(|r| r == origin || r.starts_with(&format!("{origin}/")))
}

fn forbidden(why: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>禁止访问</title>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>禁止访问（403）</h1><p>{why}</p></body></html>"
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Headers on every answer: nothing from elsewhere, no framing, no caching.
fn harden(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // same-origin, not no-referrer: a browser sends `Origin: null` on the
    // page's own POSTs under no-referrer, which the origin check refuses.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

pub async fn check(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if host != Some(app.host.as_str()) {
        return forbidden(&format!(
            "请求的主机名不是本工作台的地址：请用启动时显示的 http://{}/ 地址打开。",
            app.host
        ));
    }
    let by_query = query_token(&req).is_some_and(|t| same(t, &app.token));
    let by_cookie = cookie_token(&req, &app.cookie).is_some_and(|t| same(t, &app.token));
    if !by_query && !by_cookie {
        return forbidden(
            "缺少或错误的访问令牌：请使用启动工作台时命令行窗口中显示的完整地址（含 token）打开。",
        );
    }
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD);
    if writes && !same_origin(&req, &app.origin()) {
        return forbidden("该请求不是从本工作台的页面发出的，已拒绝。");
    }
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Strict",
        app.cookie, app.token
    );
    if by_query && *req.method() == Method::GET {
        // Keep the token out of the address bar and history: set the
        // cookie, then show the same page without it.
        // one leading slash: `//host` would redirect to another host
        let path = format!("/{}", req.uri().path().trim_start_matches('/'));
        let rest: Vec<&str> = req
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("token="))
            .collect();
        let target = if rest.is_empty() {
            path
        } else {
            format!("{path}?{}", rest.join("&"))
        };
        let mut resp = (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
        harden(&mut resp);
        return resp;
    }
    let mut resp = next.run(req).await;
    harden(&mut resp);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", "a"));
    }
}
