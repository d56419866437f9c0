#!/usr/bin/env python3
"""Write the hand-made seed inputs of fuzz/corpus/<target>/seed-*.

Run from the repository root: python3 fuzz/seeds.py. Only a helper for editing the seeds:
the corpus files are committed, CI never runs this. Inputs found by fuzzing and kept in the
corpus (cov-*, crash-*) are left alone. The field separator of the structured targets is
0x1E (see fuzz/fuzz_common.h)."""
import os

S = b"\x1e"
UA = b"user-agent:Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
BOT = b"user-agent:Googlebot/2.1 (+http://www.google.com/bot.html)"


def req(f1, f2, f3, method, path, query=b"", body=b"", *headers):
    return bytes([f1, f2, f3]) + S.join([method, path, query, body] + list(headers))


CONN = (b"{\"id\":\"0b7c4f0e-1c1a-4a8e-9c3e-2f6d7e8a9b0c\",\"version\":\"v1\",\"route\":\"/a\",\"ip\":\"10.1.2.3\"},"
        b"{\"id\":\"0B7C4F0E-1C1A-4A8E-9C3E-2F6D7E8A9B0D\",\"version\":\"v2\",\"route\":\"(other)\",\"ip\":\"::1\"}")


def SNAP(iid, versions, total, routes=None, conns=b"", extra=b""):
    """A cluster snapshot as skew_cluster_write_snapshot writes it (fuzz target "snapshot")."""
    out = b"{\"skew\":1,\"id\":\"" + iid + b"\",\"tag\":4,\"version\":\"v1\",\"build\":\"b1\",\"at\":1700000000000"
    out += b",\"total\":" + str(total).encode() + b",\"versions\":" + versions
    if routes is not None:
        out += b",\"routes\":" + routes
    return out + b",\"connections\":[" + conns + b"]" + extra + b"}"


seeds = {
    "json_roundtrip": [
        b"", b"plain", b"\"quoted\" \\back\\", b"\x00\x01\x1f\x7f\n\r\t\b\x0c",
        "é ü 日本 😀".encode(), b"\xe2\x80\xa8\xe2\x80\xa9", b"\xc0\xaf\xe0\x80\xaf\xed\xa0\x80",
        b"\xf0\x9f\x98", b"\xf4\x90\x80\x80\xf5\xff\xfe", b"\xe1\x80", b"a\xc3", b"\xed\x9f\xbf\xee\x80\x80",
        b"</script><!--", "\ufeffbom".encode(),
    ],
    "json_reader": [
        b"\x00{\"type\":\"ping\"}", b"\x01{\"route\":\"/a?b#c\",\"type\":\"route-update\"}",
        b"\x02 {\"connectionId\":\"0b7c4f0e-1c1a-4a8e-9c3e-2f6d7e8a9b0c\"} ",
        b"\x00{\"type\":1,\"type\":\"ping\"}", b"\x00{\"a\":[1,2,{\"type\":\"x\"}],\"type\":\"y\"}",
        b"\x04{\"k\":\"\\ud83d\\ude00 \\ud800 \\udc00 \\u00e9\\n\\/\"}", b"\x00[\"type\"]", b"\x00\"type\"",
        b"\x00{\"type\":\"ping\"", b"\x00{\"type\" \"ping\"}", b"\x00{\"type\":\"pi\x01ng\"}",
        b"\x00{\"type\":-0.5e+3,\"n\":null,\"t\":true,\"f\":false}", b"\x00{\"type\":01}",
        b"\x00" + b"[" * 32 + b"]" * 32, b"\x00" + b"[" * 33 + b"]" * 33,
        b"\x00{\"a\":" * 31 + b"1" + b"}" * 31, b"\x08{\"type\":\"0123456789abcdef0123456789abcdef\"}",
        b"\x10{\"route\":\"/\xff\xfe\"}", b"\x00 \t\r\n{}\n", b"\x00{\"\\u0074ype\":\"ping\"}",
    ],
    "query": [
        b"\x00route=%2Fa%2Fb&x=1", b"\x04route=/a+b&route=/c", b"\x01a=1;a=2", b"\x00route", b"\x00route=",
        b"\x00x=1&route=%", b"\x00route=%4", b"\x00route=%G0", b"\x08route=%2F%2F%2F%2F",
        b"\x02connectionId=0b7c4f0e-1c1a-4a8e-9c3e-2f6d7e8a9b0c", b"\x00&&&;;;===", b"\x00routex=1&xroute=2&route=3",
        b"\x18%00%ff%7F+%20", b"\x10a%2",
    ],
    "cookie": [
        b"\x00__nkpv=v2", b"\x00a=1; __nkpv=\"v3\"; b=2", b"\x01skew_admin=tok", b"\x01 skew_admin = tok ;",
        b"\x00__nkpv", b"\x00;;;=;=", b"\x02a=\"\"", b"\x02a=\"", b"\x03v=1;v=2", b"\x00 __nkpv\t=\tv%202 ",
        b"\x01skew_admin=\"tok\"", b"\x01skew_admin=tok2",
    ],
    "route": [
        b"\x00/", b"\x00/a/b?c=d#e", b"\x00a/b", b"\x00", b"\x01/", b"\x01/a", b"\x02/12345678",
        b"\x02/123456789", b"\x00/a\x01b", b"\x00/a\x7f", b"\x00/\xc3\xa9", b"\x00/\xc3", b"\x00/%2Fx%3Fq",
        b"\x00/#", b"\x00/a%00b", b"\x00/shipping",
    ],
    "ip": [
        b"\x00" + S.join([b"1.2.3.4"]), b"\x01" + S.join([b"::ffff:1.2.3.4", b"5.6.7.8"]),
        b"\x09" + S.join([b"2001:db8::1", b"", b"6.6.6.6, 1.2.3.4"]),
        b"\x0b" + S.join([b"[::1]:80", b"", b"", b"", b"for=\"[2001:db8::1]:4711\";proto=https, for=127.0.0.2"]),
        b"\x1b" + S.join([b"10.0.0.0/8", b"", b"10.0.0.1, 10.0.0.2, 9.9.9.9"]),
        b"\x13" + S.join([b"fe80::1%eth0", b"unknown", b"", b"203.0.113.9"]),
        b"\x0c" + S.join([b"::/0", b"_hidden"]), b"\x28" + S.join([b"1.2.3.4:8080", b"", b"", b"", b"For=unknown"]),
        b"\x1f" + S.join([b"fd00::/8", b"x", b"fd00::5, fd00::6", b"y", b"for=fd00::7"]),
        b"\x00256.1.1.1", b"\x00::1.2.3.4", b"\x001:2:3:4:5:6:7:8", b"\x00\"[::1]\"",
    ],
    "bot": [
        b"\x00" + S + UA[11:], b"\x00" + S + BOT[11:], b"\x00" + S + b"", b"\x02" + S + b" \t ",
        b"\x01chrome" + S + UA[11:], b"\x00evil" + S + b"Mozilla/5.0 EvilScraper", b"\x04x" + S + b"curl/8.0",
        b"\x00" + S + b"curl/8.4.0", b"\x00" + S + b"python-requests/2.31", b"\x00" + S + b"Mozilla/5.0 (compatible; Bingbot/2.0)",
        b"\x01bot" + S + b"Mozilla/5.0 (compatible; Googlebot/2.1)", b"\x00" + S + b"HeadlessChrome/120.0",
        b"\x00" + S + b"a" * 600, b"\x00" + b"p" * 60 + S + b"p" * 60,
        b"\x00" + S + UA[11:] + b" shop.com_android/5.2.1", b"\x00" + S + b"Mozilla/5.0 (compatible; Uptime_bot_2)",
    ],
    "request": [
        req(0, 0, 0x80, b"GET", b"/__skew/sse", b"route=%2Fhome"),
        req(1, 1, 0x81, b"GET", b"/__skew/ws", b"route=/docs", b"", b"authorization:Bearer tok"),
        req(0, 0, 0x00, b"GET", b"/__skew/sse", b"", b"", BOT),
        req(0, 0, 0x01, b"GET", b"/__skew/ws", b"", b"", BOT),
        req(0, 1, 0x40, b"GET", b"/__skew/health"),
        req(1, 1, 0x48, b"GET", b"/__skew/admin/stats", b"", b"", b"authorization:Bearer tok"),
        req(3, 2, 0x40, b"GET", b"/__skew/metrics", b"", b"", b"authorization:tok"),
        req(1, 1, 0x40, b"POST", b"/__skew/route", b"", b"{\"connectionId\":\"@ID@\",\"route\":\"/next\"}"),
        req(1, 1, 0x40, b"POST", b"/__skew/subscribe-stats", b"", b"connectionId=@ID@"),
        req(0, 2, 0x40, b"POST", b"/__skew/admin/version", b"", b"{\"version\":\"v9\"}"),
        req(1, 2, 0x40, b"POST", b"/__skew/admin/invalidate", b"", b"{\"route\":\"/a\"}"),
        req(0, 0, 0x00, b"HEAD", b"/__skew/sse"), req(0, 0, 0x00, b"GET", b"/__skew/ws"),
        req(0, 0, 0x01, b"GET", b"/other"), req(0, 0, 0x00, b"GET", b"/__skewer"),
        req(0, 0, 0x00, b"GET", b"/__skew/nope"), req(0, 0, 0x18, b"PUT", b"/__skew/route"),
        req(0x80, 0x80, 0x80, b"GET", b"/x/sse", b"route=/y", b"", b"cookie:v=build%202"),
        req(2, 0, 0x84, b"GET", b"/__skew/sse", b"", b"", b"x-forwarded-for:1.2.3.4", b"cookie:__nkpv=v7"),
    ],
    "post": [
        b"\x01\x01\x00{\"connectionId\":\"@ID@\",\"route\":\"/next?x#y\"}",
        b"\x01\x01\x00connectionId=@WS@&route=%2Fform+path",
        b"\x01\x01\x01{\"connectionId\":\"@ID@\"}", b"\x01\x02\x01connectionId=@WS@",
        b"\x00\x01\x04{\"version\":\"v3\"}", b"\x01\x01\x07{\"route\":\"/docs\"}",
        b"\x00\x00\x00", b"\x00\x00\x00{", b"\x00\x00\x00{\"connectionId\":\"nope\"}",
        b"\x00\x00\x00{\"connectionId\":\"00000000-0000-4000-8000-000000000000\"}",
        b"\x01\x01\x00\r\n{\"connectionId\":\"@ID@\",\"route\":\"\\u002fesc\"}", b"\x00\x01\x0c{\"version\":\"\"}",
        b"\x01\x01\x20{\"connectionId\":\"@ID@\",\"route\":\"/a\"}",
    ],
    "ws": [
        b"\x01\x01ping", b"\x11\x01{\"type\":\"ping\"}" + S + b"{\"type\":\"subscribe-stats\"}",
        b"\x11\x01{\"type\":\"route-update\",\"route\":\"/shipping\"}" + S + b"pings",
        b"\x01\x02{\"type\":\"subscribe-stats\"}" + S + b"\x04\x00\xff" + S + b"{\"type\":\"unsubscribe-stats\"}",
        b"\x01\x01\x01\x02\x01v9" + S + b"\x03\x02/x" + S + b"\x05\x02" + S + b"\x02\x00" + S + b"\x06\x00ping",
        b"\x11\x01\x05\x01" + S + b"\x07\x01" + S + b"\x03\x00/boom" + S + b"\x04\x01\x10",
        b"\x00\x00\x08\x00v2" + S + b"\x09\x00/" + S + b"\x0a\x00x", b"\x00\x00{\"type\":\"route-update\",\"route\":5}",
        b"\x81\x41\x01\x02\x01a" + S + b"\x01\x03\x00b" + S + b"\x01\x04\x00c" + S + b"\x02\x02" + S + b"\x01\x02\x01d",
        b"\x01\x00{\"type\":\"route-update\",\"route\":\"/a\\u0000b\"}", b"\x01\x00[]", b"\x01\x00",
    ],
    "snapshot": [
        b"\x83" + SNAP(b"B", b"{\"v1\":2,\"v2\":1}", 3, b"{\"/a\":2,\"/b\":1}", CONN),
        b"\x33" + SNAP(b"B", b"{\"v1\":1}", 1) + S + SNAP(b"C", b"{\"(other)\":2,\"v3\":1}", 3) + S + SNAP(b"self", b"{\"v1\":1}", 1),
        b"\x30" + SNAP(b"B", b"{\"v1\":1}", 1) + S + SNAP(b"B", b"{\"v1\":1}", 1),
        b"\x01" + SNAP(b"D", b"{\"v1\":1,\"v1\":1}", 2) + S + SNAP(b"E", b"{\"v1\":2}", 3),
        b"\x05" + SNAP(b"\\u00e9\\\"x", b"{\"\\ud800\":1}", 1, b"{\"(other)\":1}"),
        b"\x0b" + SNAP(b"F", b"{\"v1\":16777216}", 16777216) + S + SNAP(b"G", b"{\"v1\":1}", 1, None, CONN + b",[" * 40),
        b"\x40" + SNAP(b"H", b"{\"v1\":1}", 1)[:-9] + S + b"{\"skew\":2}" + S + b"[]" + S + b"",
        b"\x83" + SNAP(b"I", b"{\"v1\":1}", 1, b"{\"/x\":1}", CONN, b",\"future\":[{\"a\":[1,2,null]}]"),
    ],
    "merge": [
        b"\x3f{\"total\":3,\"versions\":{\"v1\":2,\"v2\":1},\"routes\":{\"/\":3}}" + S + b"{\"total\":1,\"versions\":{\"v1\":1}}",
        b"\x09{\"total\":2,\"versions\":{\"a\":1,\"b\":1}}" + S + b"{\"total\":1,\"versions\":{\"c\":1}}",
        b"\x3f{\"versions\":{\"a\":5},\"total\":-1}", b"\x3f{\"total\":1.5}", b"\x3f{\"total\":4294967296}",
        b"\x3f{\"versions\":{\"\\\"q\\\\\":1}}", b"\x00{}" + S + b"[]" + S + b"{\"total\":0}",
        b"\x3f{\"routes\":{\"/a\":1,\"/a\":2},\"x\":[1,{\"y\":2}]}", b"\x3f{\"versions\":{\"(other)\":3}}",
    ],
}

for target, items in seeds.items():
    d = os.path.join("fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if name.startswith("seed-"):
            os.remove(os.path.join(d, name))
    for i, data in enumerate(items):
        with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
            f.write(data)
    print("%-15s %d seeds" % (target, len(items)))
