#!/bin/sh
# Every public function of skew_tracker.h is declared and defined under the same >>section, and
# the SECTIONS list in the header's top comment names every section in file order (issue 21 item 11).
# Usage: tests/api/sections.sh [skew_tracker.h]
hdr=${1:-skew_tracker.h}
awk '
function fname(line,   n) { n = line; sub(/\(.*/, "", n); sub(/.*[ *]/, "", n); return n }
/^#if defined\(SKEW_TRACKER_IMPLEMENTATION\)/ { impl = 1 }
# a section starts at a banner line "   >>name" after a "/* ====" line, or at "/* >>name  ..." alone
prev ~ /^\/\* =+$/ && /^   >>[a-z-]+/ { sec = $1; sub(/^>>/, "", sec); seen(sec) }
/^\/\* >>[a-z-]+  / { sec = $2; sub(/^>>/, "", sec); seen(sec) }
/^\/\* >>[a-z-]+ BEGIN/ { s2 = $2; sub(/^>>/, "", s2); seen(s2) } # generated tables: listed, no functions
function seen(s) { if (impl) { if (!(s in ih)) { io[++ni] = s; ih[s] = 1 } } else if (!(s in ph)) { po[++np] = s; ph[s] = 1 } }
/^SKEW_API / && /\(/ {
    n = fname($0)
    if (!impl && /;[ \t]*$|,[ \t]*$/) decl[n] = sec
    else if (impl && /\{|,[ \t]*$/ && !(n in def)) def[n] = sec
}
{ prev = $0 }
/^   SECTIONS$/ { insec = 1 }
insec && /^\*\/$/ { insec = 0 }
insec { list = list " " $0 }
END {
    bad = 0; ok = 0
    for (n in decl) {
        if (!(n in def)) { print "not ok: " n " declared under >>" decl[n] " but not defined"; bad++ }
        else if (def[n] == "stats" && decl[n] == "json") ok++ # documented: the stats message body, declared with the messages
        else if (def[n] != decl[n]) { print "not ok: " n " declared under >>" decl[n] ", defined under >>" def[n]; bad++ }
        else ok++
    }
    for (n in def) if (!(n in decl)) { print "not ok: " n " defined under >>" def[n] " but not declared"; bad++ }
    # the SECTIONS comment: both orders, every section once
    split(list, w, /[ ,.:()]+/)
    gsub(/[ \t]+/, " ", list)
    pub = ""; for (i = 1; i <= np; i++) pub = pub (i > 1 ? ", " : "") po[i]
    imp = ""; for (i = 1; i <= ni; i++) imp = imp (i > 1 ? ", " : "") io[i]
    if (index(list, "public and implementation " ) == 0) { print "not ok: no public section list"; bad++ }
    for (i = 1; i <= np; i++) if (!(po[i] in ih)) { print "not ok: public section >>" po[i] " has no implementation"; bad++ }
    if (index(list, pub) == 0) { print "not ok: SECTIONS does not list the public sections in order: " pub; bad++ } else ok++
    if (index(list, imp ".") == 0) { print "not ok: SECTIONS does not list the implementation order: " imp; bad++ } else ok++
    printf "%d public functions, %d sections\n", length(decl), ni
    printf "%d passed, %d failed\n", ok, bad
    exit bad ? 1 : 0
}' "$hdr"
