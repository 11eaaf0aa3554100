//! The console's style sheet and script, compiled into the binary and served under a name that
//! carries a hash of their content (`/assets/console.3f2a9c1b.css`), so browsers may keep them for
//! a year: a new release has new names.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

/// The URLs of the assets, for the layout.
#[derive(Clone, Debug, Serialize)]
pub struct AssetUrls {
    pub css: String,
    pub js: String,
}

fn hashed(stem: &str, ext: &str, content: &str) -> String {
    let digest = hex::encode(Sha256::digest(content.as_bytes()));
    format!("{stem}.{}.{ext}", &digest[..12])
}

struct Names {
    css: String,
    js: String,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| Names { css: hashed("console", "css", CSS), js: hashed("console", "js", JS) })
}

/// Where the layout links the assets.
pub fn urls() -> AssetUrls {
    let names = names();
    AssetUrls { css: format!("/assets/{}", names.css), js: format!("/assets/{}", names.js) }
}

/// An asset by its hashed name; any other name is 404 (an old name after an upgrade too: the
/// page that asked for it is stale and reloads with the new one).
#[get("/assets/{name}")]
pub async fn asset(name: web::Path<String>) -> HttpResponse {
    let names = names();
    let (content, media_type) = if *name == names.css {
        (CSS, "text/css; charset=utf-8")
    } else if *name == names.js {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("not found");
    };
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_carry_their_content_hash_and_the_script_is_small() {
        let urls = urls();
        assert!(urls.css.starts_with("/assets/console.") && urls.css.ends_with(".css"), "{}", urls.css);
        assert_ne!(hashed("a", "css", "x"), hashed("a", "css", "y"));
        assert!(JS.len() < 10 * 1024, "the console's own script stays a few kB: {} bytes", JS.len());
        assert!(!CSS.contains("http://") && !CSS.contains("https://") && !JS.contains("http"));
    }
}
