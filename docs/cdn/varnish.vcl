# Varnish 7 in front of kiln-edge: the configuration tests/e2e/test_cdn.py runs
# (it replaces 127.0.0.1:8080 with the edge's port). Needs varnish-modules
# (xkey) and varnishd -p http_gzip_support=off, so Varnish neither rewrites
# Accept-Encoding to gzip nor decompresses: br and zstd reach the origin.
vcl 4.1;

import std;
import xkey;

backend kiln {
    .host = "127.0.0.1";
    .port = "8080";
}

# Who may purge: the deploy script's machine.
acl purgers {
    "127.0.0.1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (!client.ip ~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # "xkey-purge: url:/index.html url:/about.html": the tags of purge.json.
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.n-gone));
        }
        return (purge); # one URL, every variant
    }
    # RFC 9842: a client offering dcz with a dictionary may get a delta
    # against it. Note it here, before the normalisation below drops dcz;
    # otherwise drop Available-Dictionary, which kiln-edge then ignores and
    # which would only split the cache. The origin's "Vary: Accept-Encoding,
    # Available-Dictionary" keys each delta by the dictionary's hash, so a
    # delta is only ever delivered to a client holding that dictionary.
    if (req.http.Accept-Encoding ~ "(?i)\bdcz\b" && req.http.Available-Dictionary) {
        set req.http.X-Kiln-Dcz = "1";
    } else {
        unset req.http.X-Kiln-Dcz;
        unset req.http.Available-Dictionary;
    }
    # One Accept-Encoding per coding kiln precompresses, best first, so each
    # variant is cached once (Vary: Accept-Encoding) and the origin still
    # chooses: it sends identity when it has no variant in that coding.
    if (req.http.Accept-Encoding ~ "(?i)\bbr\b") {
        set req.http.Accept-Encoding = "br";
    } elsif (req.http.Accept-Encoding ~ "(?i)\bzstd\b") {
        set req.http.Accept-Encoding = "zstd";
    } elsif (req.http.Accept-Encoding ~ "(?i)\bgzip\b") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
    # dcz first, then the one fallback coding: the origin sends the delta
    # when it has one for that hash, the fallback otherwise.
    if (req.http.X-Kiln-Dcz) {
        if (req.http.Accept-Encoding) {
            set req.http.Accept-Encoding = "dcz, " + req.http.Accept-Encoding;
        } else {
            set req.http.Accept-Encoding = "dcz";
        }
        unset req.http.X-Kiln-Dcz;
    }
}

sub vcl_backend_response {
    # xkey indexes objects by the "xkey" header: take kiln's purge keys.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Keep expired objects a day, so Varnish revalidates them with the
    # origin's ETag (a 304) instead of fetching the whole body again.
    set beresp.keep = 1d;
    # CDN-Cache-Control (RFC 9213) is this cache's own freshness, taking
    # precedence over Cache-Control (which says "no-cache" to browsers for
    # entry documents). Varnish does not read it by itself.
    if (beresp.http.CDN-Cache-Control ~ "max-age=[0-9]+") {
        set beresp.ttl = std.duration(regsub(beresp.http.CDN-Cache-Control,
            "^.*max-age=([0-9]+).*$", "\1s"), 0s);
        set beresp.grace = 0s;
        if (beresp.http.CDN-Cache-Control ~ "stale-while-revalidate=[0-9]+") {
            set beresp.grace = std.duration(regsub(beresp.http.CDN-Cache-Control,
                "^.*stale-while-revalidate=([0-9]+).*$", "\1s"), 0s);
        }
        return (deliver);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
    # In production, also hide the CDN's own headers from browsers:
    #   unset resp.http.Surrogate-Key; unset resp.http.CDN-Cache-Control;
    # The tests keep them visible.
}
