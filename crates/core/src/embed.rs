//! Embeds: a post, video, map or chart from elsewhere, made from the
//! address a reporter pastes. Nothing here touches the network: each
//! provider's embed address (the frame a reader's browser loads once the
//! reader asks for it) is known from the pasted address alone, and so are
//! the hosts the page's Content-Security-Policy must open for it.
//!
//! An address no provider takes is no embed (it stays a link). An admin
//! may allow more hosts (`Allowed`): an `https` address on one of them is
//! framed as it is.

use url::Url;

/// Who serves an embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    YouTube,
    Vimeo,
    X,
    Instagram,
    Facebook,
    TikTok,
    Bluesky,
    /// A Mastodon server (any: the fediverse has thousands).
    Mastodon(String),
    Threads,
    Reddit,
    SoundCloud,
    Spotify,
    ApplePodcasts,
    GoogleMaps,
    Datawrapper,
    Flourish,
    DocumentCloud,
    Scribd,
    /// A host an admin allowed: the address is framed as it is.
    Allowed(String),
}

/// What kind of thing it is, for the facade's words and its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Video,
    Audio,
    Post,
    Map,
    Chart,
    Document,
}

impl Provider {
    /// The short name used in markup and styles (`data-provider`).
    pub fn key(&self) -> &'static str {
        match self {
            Provider::YouTube => "youtube",
            Provider::Vimeo => "vimeo",
            Provider::X => "x",
            Provider::Instagram => "instagram",
            Provider::Facebook => "facebook",
            Provider::TikTok => "tiktok",
            Provider::Bluesky => "bluesky",
            Provider::Mastodon(_) => "mastodon",
            Provider::Threads => "threads",
            Provider::Reddit => "reddit",
            Provider::SoundCloud => "soundcloud",
            Provider::Spotify => "spotify",
            Provider::ApplePodcasts => "apple-podcasts",
            Provider::GoogleMaps => "google-maps",
            Provider::Datawrapper => "datawrapper",
            Provider::Flourish => "flourish",
            Provider::DocumentCloud => "documentcloud",
            Provider::Scribd => "scribd",
            Provider::Allowed(_) => "iframe",
        }
    }

    /// The name readers are told ("Play: … (YouTube)").
    pub fn name(&self) -> String {
        match self {
            Provider::YouTube => "YouTube".into(),
            Provider::Vimeo => "Vimeo".into(),
            Provider::X => "X".into(),
            Provider::Instagram => "Instagram".into(),
            Provider::Facebook => "Facebook".into(),
            Provider::TikTok => "TikTok".into(),
            Provider::Bluesky => "Bluesky".into(),
            Provider::Mastodon(host) => format!("Mastodon ({host})"),
            Provider::Threads => "Threads".into(),
            Provider::Reddit => "Reddit".into(),
            Provider::SoundCloud => "SoundCloud".into(),
            Provider::Spotify => "Spotify".into(),
            Provider::ApplePodcasts => "Apple Podcasts".into(),
            Provider::GoogleMaps => "Google Maps".into(),
            Provider::Datawrapper => "Datawrapper".into(),
            Provider::Flourish => "Flourish".into(),
            Provider::DocumentCloud => "DocumentCloud".into(),
            Provider::Scribd => "Scribd".into(),
            Provider::Allowed(host) => host.clone(),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Provider::YouTube | Provider::Vimeo | Provider::TikTok => Kind::Video,
            Provider::SoundCloud | Provider::Spotify | Provider::ApplePodcasts => Kind::Audio,
            Provider::GoogleMaps => Kind::Map,
            Provider::Datawrapper | Provider::Flourish => Kind::Chart,
            Provider::DocumentCloud | Provider::Scribd | Provider::Allowed(_) => Kind::Document,
            Provider::X
            | Provider::Instagram
            | Provider::Facebook
            | Provider::Bluesky
            | Provider::Mastodon(_)
            | Provider::Threads
            | Provider::Reddit => Kind::Post,
        }
    }

    /// The verb of the facade's button: "Play", "Show".
    pub fn verb(&self) -> &'static str {
        match self.kind() {
            Kind::Video | Kind::Audio => "Play",
            Kind::Post | Kind::Map | Kind::Chart | Kind::Document => "Show",
        }
    }
}

/// An embed known from a pasted address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    pub provider: Provider,
    /// The address as readers may follow it (the post or video itself).
    pub url: String,
    /// The frame loaded after the reader asks for it.
    pub frame: String,
}

impl Embed {
    /// The host the page's `frame-src` must allow for it.
    pub fn frame_host(&self) -> String {
        Url::parse(&self.frame)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Longest address taken.
pub const MAX_URL: usize = 2_048;

fn host_is(url: &Url, hosts: &[&str]) -> bool {
    url.host_str()
        .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
        .is_some_and(|h| hosts.iter().any(|x| h == *x))
}

/// A path's non-empty segments.
fn segments(url: &Url) -> Vec<&str> {
    url.path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default()
}

fn query(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Letters, digits, `-` and `_` only, 1 to 128 of them: an id that may be
/// put into another address as it is.
fn plain(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn digits(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit())
}

fn encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A YouTube start time (`t=1m30s`, `t=90`, `start=90`) in seconds.
fn start_seconds(url: &Url) -> Option<u64> {
    let t = query(url, "t").or_else(|| query(url, "start"))?;
    if let Ok(s) = t.trim_end_matches('s').parse::<u64>() {
        return Some(s);
    }
    let (mut total, mut n) = (0u64, 0u64);
    for c in t.chars() {
        match c {
            '0'..='9' => n = n.checked_mul(10)?.checked_add(u64::from(c as u8 - b'0'))?,
            'h' => (total, n) = (total + n * 3600, 0),
            'm' => (total, n) = (total + n * 60, 0),
            's' => (total, n) = (total + n, 0),
            _ => return None,
        }
    }
    Some(total + n)
}

fn youtube(url: &Url) -> Option<String> {
    let seg = segments(url);
    let id = if host_is(url, &["youtu.be"]) {
        seg.first().map(|s| s.to_string())
    } else if host_is(
        url,
        &["youtube.com", "m.youtube.com", "youtube-nocookie.com"],
    ) {
        match seg.as_slice() {
            ["watch"] => query(url, "v"),
            ["shorts" | "embed" | "live" | "v", id, ..] => Some(id.to_string()),
            _ => None,
        }
    } else {
        None
    }?;
    if id.len() != 11 || !plain(&id) {
        return None;
    }
    let start = start_seconds(url)
        .map(|s| format!("&start={s}"))
        .unwrap_or_default();
    Some(format!(
        "https://www.youtube-nocookie.com/embed/{id}?autoplay=1{start}"
    ))
}

/// The embed an address makes, if any provider (or an admin's `allowed`
/// host) takes it.
pub fn recognize(address: &str, allowed: &[String]) -> Option<Embed> {
    let address = address.trim();
    if address.len() > MAX_URL {
        return None;
    }
    let url = Url::parse(address).ok()?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return None;
    }
    let seg = segments(&url);
    let made = |provider: Provider, frame: String| {
        Some(Embed {
            provider,
            url: url.to_string(),
            frame,
        })
    };
    if let Some(frame) = youtube(&url) {
        return made(Provider::YouTube, frame);
    }
    if host_is(&url, &["vimeo.com", "player.vimeo.com"]) {
        let id = match seg.as_slice() {
            ["video", id, ..] => *id,
            [id, ..] => *id,
            _ => "",
        };
        if digits(id) {
            return made(
                Provider::Vimeo,
                format!("https://player.vimeo.com/video/{id}?dnt=1&autoplay=1"),
            );
        }
        return None;
    }
    if host_is(
        &url,
        &["twitter.com", "x.com", "mobile.twitter.com", "mobile.x.com"],
    ) {
        if let [user, "status", id, ..] = seg.as_slice()
            && plain(user)
            && digits(id)
        {
            return made(
                Provider::X,
                format!("https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true"),
            );
        }
        return None;
    }
    if host_is(&url, &["instagram.com"]) {
        if let [kind @ ("p" | "reel" | "tv"), code, ..] = seg.as_slice()
            && plain(code)
        {
            return made(
                Provider::Instagram,
                format!("https://www.instagram.com/{kind}/{code}/embed/"),
            );
        }
        return None;
    }
    if host_is(&url, &["facebook.com", "m.facebook.com", "fb.watch"]) {
        let video = seg.contains(&"videos")
            || seg.first() == Some(&"watch")
            || host_is(&url, &["fb.watch"]);
        let post = seg.contains(&"posts")
            || seg.first() == Some(&"permalink.php")
            || seg.contains(&"photos");
        if video || post {
            let plugin = if video { "video" } else { "post" };
            return made(
                Provider::Facebook,
                format!(
                    "https://www.facebook.com/plugins/{plugin}.php?href={}",
                    encoded(url.as_str())
                ),
            );
        }
        return None;
    }
    if host_is(&url, &["tiktok.com"]) {
        if let [user, "video", id, ..] = seg.as_slice()
            && user.starts_with('@')
            && digits(id)
        {
            return made(
                Provider::TikTok,
                format!("https://www.tiktok.com/embed/v2/{id}"),
            );
        }
        return None;
    }
    if host_is(&url, &["bsky.app"]) {
        if let ["profile", who, "post", rkey] = seg.as_slice()
            && who.len() <= 253
            && who
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:_".contains(&b))
            && plain(rkey)
        {
            return made(
                Provider::Bluesky,
                format!("https://embed.bsky.app/embed/{who}/app.bsky.feed.post/{rkey}"),
            );
        }
        return None;
    }
    if host_is(&url, &["threads.net", "threads.com"]) {
        if let [user, "post", code, ..] = seg.as_slice()
            && user.starts_with('@')
            && plain(&user[1..])
            && plain(code)
        {
            return made(
                Provider::Threads,
                format!("https://www.threads.net/{user}/post/{code}/embed"),
            );
        }
        return None;
    }
    if host_is(&url, &["reddit.com", "old.reddit.com", "new.reddit.com"]) {
        if let ["r", sub, "comments", id, rest @ ..] = seg.as_slice()
            && plain(sub)
            && plain(id)
        {
            let slug = rest
                .first()
                .filter(|s| plain(s))
                .map(|s| format!("{s}/"))
                .unwrap_or_default();
            return made(
                Provider::Reddit,
                format!("https://embed.reddit.com/r/{sub}/comments/{id}/{slug}"),
            );
        }
        return None;
    }
    if host_is(&url, &["soundcloud.com", "m.soundcloud.com"]) {
        if seg.len() >= 2 && seg.iter().all(|s| plain(s)) {
            let page = format!("https://soundcloud.com/{}", seg.join("/"));
            return made(
                Provider::SoundCloud,
                format!(
                    "https://w.soundcloud.com/player/?url={}&auto_play=true",
                    encoded(&page)
                ),
            );
        }
        return None;
    }
    if host_is(&url, &["open.spotify.com"]) {
        let seg: Vec<&str> = seg
            .into_iter()
            .filter(|s| !s.starts_with("intl-"))
            .collect();
        if let [
            kind @ ("track" | "album" | "playlist" | "episode" | "show" | "artist"),
            id,
        ] = seg.as_slice()
            && plain(id)
        {
            return made(
                Provider::Spotify,
                format!("https://open.spotify.com/embed/{kind}/{id}"),
            );
        }
        return None;
    }
    if host_is(&url, &["podcasts.apple.com"]) {
        if let [country, "podcast", rest @ ..] = seg.as_slice()
            && country.len() == 2
            && !rest.is_empty()
            && rest.iter().all(|s| plain(s))
            && rest
                .last()
                .is_some_and(|l| l.starts_with("id") && digits(&l[2..]))
        {
            let episode = query(&url, "i")
                .filter(|i| digits(i))
                .map(|i| format!("?i={i}"))
                .unwrap_or_default();
            return made(
                Provider::ApplePodcasts,
                format!(
                    "https://embed.podcasts.apple.com/{country}/podcast/{}{episode}",
                    rest.join("/")
                ),
            );
        }
        return None;
    }
    if host_is(&url, &["google.com", "maps.google.com"]) && seg.first() == Some(&"maps") {
        if seg.get(1) == Some(&"embed") && query(&url, "pb").is_some() {
            return made(Provider::GoogleMaps, url.to_string());
        }
        let place = match seg.as_slice() {
            ["maps", "place" | "search", place, ..] => Some(place.replace('+', " ")),
            _ => query(&url, "q"),
        };
        if let Some(place) = place.filter(|p| !p.trim().is_empty()) {
            let place = url::form_urlencoded::parse(format!("q={place}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or(place);
            return made(
                Provider::GoogleMaps,
                format!(
                    "https://maps.google.com/maps?q={}&output=embed",
                    encoded(&place)
                ),
            );
        }
        return None;
    }
    if host_is(&url, &["datawrapper.dwcdn.net", "datawrapper.de"]) {
        let id = match seg.as_slice() {
            ["_", id, ..] => *id,
            [id, ..] if host_is(&url, &["datawrapper.dwcdn.net"]) => *id,
            _ => "",
        };
        if plain(id) && id.len() <= 16 {
            return made(
                Provider::Datawrapper,
                format!("https://datawrapper.dwcdn.net/{id}/"),
            );
        }
        return None;
    }
    if host_is(&url, &["flo.uri.sh", "public.flourish.studio"]) {
        if let [kind @ ("visualisation" | "story"), id, ..] = seg.as_slice()
            && digits(id)
        {
            return made(
                Provider::Flourish,
                format!("https://flo.uri.sh/{kind}/{id}/embed"),
            );
        }
        return None;
    }
    if host_is(&url, &["documentcloud.org", "embed.documentcloud.org"]) {
        if let ["documents", id, ..] = seg.as_slice()
            && plain(id)
        {
            return made(
                Provider::DocumentCloud,
                format!("https://embed.documentcloud.org/documents/{id}/"),
            );
        }
        return None;
    }
    if host_is(&url, &["scribd.com"]) {
        if let ["document" | "doc" | "embeds", id, ..] = seg.as_slice()
            && digits(id)
        {
            return made(
                Provider::Scribd,
                format!("https://www.scribd.com/embeds/{id}/content"),
            );
        }
        return None;
    }
    // A Mastodon post: https://server/@user/123456 on any server.
    if let [user, id] = seg.as_slice()
        && user.starts_with('@')
        && plain(&user[1..])
        && digits(id)
        && url.scheme() == "https"
    {
        let host = url.host_str()?.to_ascii_lowercase();
        return made(
            Provider::Mastodon(host.clone()),
            format!("https://{host}/{user}/{id}/embed"),
        );
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if url.scheme() == "https" && allowed.iter().any(|a| a.eq_ignore_ascii_case(&host)) {
        return made(Provider::Allowed(host), url.to_string());
    }
    None
}

/// The hosts whose frames `recognize` makes (a Mastodon server's and an
/// allowed host's aside).
const FRAME_HOSTS: &[&str] = &[
    "www.youtube-nocookie.com",
    "player.vimeo.com",
    "platform.twitter.com",
    "www.instagram.com",
    "www.facebook.com",
    "www.tiktok.com",
    "embed.bsky.app",
    "www.threads.net",
    "embed.reddit.com",
    "w.soundcloud.com",
    "open.spotify.com",
    "embed.podcasts.apple.com",
    "www.google.com",
    "maps.google.com",
    "datawrapper.dwcdn.net",
    "flo.uri.sh",
    "embed.documentcloud.org",
    "www.scribd.com",
];

/// The host a page may open its `frame-src` to for this frame address
/// (a stored body's `data-embed`): a provider's frame host, a Mastodon
/// post's embed page, or a host an admin allowed; None for any other.
pub fn frame_host_allowed(frame: &str, allowed: &[String]) -> Option<String> {
    let url = Url::parse(frame).ok()?;
    if url.scheme() != "https" {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let mastodon = matches!(segments(&url).as_slice(), [user, id, "embed"] if user.starts_with('@') && digits(id));
    (FRAME_HOSTS.contains(&host.as_str())
        || mastodon
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(&host)))
    .then_some(host)
}

/// The frame hosts of the embeds in a stored body (its figures'
/// `data-embed`), each once, those `frame_host_allowed` takes.
pub fn frame_hosts_in_html(html: &str, allowed: &[String]) -> Vec<String> {
    const ATTRIBUTE: &str = "data-embed=\"";
    let mut hosts: Vec<String> = html
        .match_indices(ATTRIBUTE)
        .filter_map(|(at, _)| {
            let rest = &html[at + ATTRIBUTE.len()..];
            let frame = &rest[..rest.find('"')?];
            // The sanitizer wrote `&amp;` for `&`; the host comes before any.
            frame_host_allowed(&frame.replace("&amp;", "&"), allowed)
        })
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Imported HTML (WordPress's `[embed]`, `wp:embed` blocks, an address
/// alone on its line, which the importer makes `<p><a href="A">A</a></p>`)
/// with each such paragraph whose address a provider takes made an embed
/// figure; returns the HTML and how many it made.
pub fn links_to_embeds(html: &str) -> (String, usize) {
    const OPEN: &str = "<p><a href=\"";
    let mut out = String::with_capacity(html.len());
    let mut made = 0;
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let parsed = tail[OPEN.len()..]
            .split_once("\">")
            .and_then(|(href, after)| {
                let (text, _) = after.split_once("</a></p>")?;
                (href == text && !href.contains(['<', '"'])).then_some(href)
            });
        let found =
            parsed.and_then(|href| recognize(&href.replace("&amp;", "&"), &[]).map(|e| (href, e)));
        match found {
            Some((href, embed)) => {
                crate::document::embed_figure(&mut out, &embed, "");
                made += 1;
                let consumed =
                    OPEN.len() + href.len() + "\">".len() + href.len() + "</a></p>".len();
                rest = &tail[consumed..];
            }
            None => {
                out.push_str(OPEN);
                rest = &tail[OPEN.len()..];
            }
        }
    }
    out.push_str(rest);
    (out, made)
}

/// The embeds of a stored body, each read back from its figure's link (the
/// link's address recognized again, so nothing is taken from the markup on
/// trust) with the link's words as its title.
pub fn embeds_in_html(html: &str) -> Vec<(Embed, String)> {
    const FIGURE: &str = "<figure class=\"embed\"";
    let mut out = Vec::new();
    for (at, _) in html.match_indices(FIGURE) {
        let rest = &html[at..];
        let Some(end) = rest.find("</figure>") else {
            continue;
        };
        let figure = &rest[..end];
        let Some(link) = figure.find("<a href=\"").map(|i| &figure[i + 9..]) else {
            continue;
        };
        let Some((href, after)) = link.split_once('"') else {
            continue;
        };
        let title = after
            .split_once('>')
            .and_then(|(_, t)| t.split_once("</a>"))
            .map(|(t, _)| crate::markdown::html_text(t))
            .unwrap_or_default();
        if let Some(e) = recognize(&href.replace("&amp;", "&"), &[]) {
            out.push((e, title));
        }
    }
    out
}

impl Embed {
    /// A still of the video, where its address alone says where one is
    /// (YouTube's); None elsewhere.
    pub fn thumbnail(&self) -> Option<String> {
        if self.provider != Provider::YouTube {
            return None;
        }
        let id = self
            .frame
            .strip_prefix("https://www.youtube-nocookie.com/embed/")?
            .split('?')
            .next()?;
        Some(format!("https://i.ytimg.com/vi/{id}/hqdefault.jpg"))
    }
}

/// The hosts a page's `frame-src` opens for the frames of `embeds`.
pub fn frame_hosts<'a>(embeds: impl IntoIterator<Item = &'a Embed>) -> Vec<String> {
    let mut hosts: Vec<String> = embeds
        .into_iter()
        .map(Embed::frame_host)
        .filter(|h| !h.is_empty())
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

#[cfg(test)]
mod tests;
