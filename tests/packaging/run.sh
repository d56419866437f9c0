#!/bin/sh
# Packaging tests: each way of getting skew_tracker into a project, tried by a small consumer
# (tests/packaging/consumer.c) that is built the way a user would build it, then run.
# Usage (from the repository root): tests/packaging/run.sh install|cmake|meson|manifests
#   install    make install into a temporary prefix (and with DESTDIR), a consumer compiled with
#              `pkg-config --cflags skew_tracker` only, find_package against that prefix,
#              the installed example program, then make uninstall leaves nothing behind
#   cmake      cmake --install of the root CMakeLists.txt + find_package, FetchContent from
#              the local path, add_subdirectory; both the header target and the
#              implementation target (Debian cmake 3.25)
#   meson      the repository as a Meson subproject found by dependency('skew_tracker',
#              fallback: 'skew_tracker') (Debian meson 1.0 and ninja-build)
#   manifests  library.json (PlatformIO) and idf_component.yml (ESP-IDF) parse and carry the
#              fields their formats require, the ESP_PLATFORM path of CMakeLists.txt registers
#              the component, every version agrees with the header's, CHANGELOG.md has it
# Ends "N passed, N failed"; "skipped: <tool> not found" when the mode's tool is missing.
# Environment: BUILD, MAKE, GCC, CSTD, WARN_C (from the Makefile).
set -u
mode=${1:-}
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
GCC=${GCC:-gcc}
CSTD=${CSTD:--std=c99}
WARN_C=${WARN_C:--Wall -Wextra -Werror}
repo=$(pwd)
mkdir -p "$BUILD/packaging"
out=$(cd "$BUILD/packaging" && pwd)
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { # check DESCRIPTION COMMAND...: passes when the command exits 0
  what=$1; shift
  if "$@" >"$out/last.log" 2>&1; then ok "$what"; else cat "$out/last.log"; bad "$what"; fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
need() { for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || { echo "skipped: $tool not found"; exit 0; }; done; }

version=$(sed -n 's/^#define SKEW_TRACKER_VERSION_STRING "\(.*\)"/\1/p' skew_tracker.h)
[ -n "$version" ] || { echo "FAIL no SKEW_TRACKER_VERSION_STRING in skew_tracker.h"; echo "0 passed, 1 failed"; exit 1; }

# run_consumer NAME BINARY: the consumer's own checks must pass
run_consumer() {
  if "$2" >"$out/$1.log" 2>&1 && tail -n 1 "$out/$1.log" | grep -qE '^[1-9][0-9]* passed, 0 failed$'; then
    ok "$1: $(tail -n 1 "$out/$1.log")"
  else
    cat "$out/$1.log"; bad "$1: the consumer's checks failed"
  fi
}

# cmake_consumer NAME SOURCE_DIR ARGS...: configure and build a consumer project
cmake_consumer() {
  name=$1; src=$2; shift 2
  rm -rf "${out:?}/$name"
  check "$name: configures" cmake -S "$src" -B "$out/$name" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror" "$@"
  check "$name: builds" cmake --build "$out/$name"
}

case $mode in
install)
  need pkg-config
  prefix=$out/prefix
  rm -rf "$prefix" "$out/stage"
  # one example program built, so the install of programs is tested (a quick build)
  $MAKE --no-print-directory -s "$BUILD/skew_botcheck" >/dev/null
  check "make install PREFIX=$prefix" $MAKE --no-print-directory -s install PREFIX="$prefix"
  check "installed the header unchanged" cmp skew_tracker.h "$prefix/include/skew_tracker.h"
  for f in lib/pkgconfig/skew_tracker.pc lib/cmake/skew_tracker/skew_trackerConfig.cmake \
           lib/cmake/skew_tracker/skew_trackerConfigVersion.cmake; do
    check "installed $f" test -s "$prefix/$f"
  done
  for p in skew_server_lws:skew-tracker-example-server-lws skew_server_mongoose:skew-tracker-example-server-mongoose \
           skew_botcheck:skew-tracker-botcheck; do
    if [ -f "$BUILD/${p%%:*}" ]; then check "installed $BUILD/${p%%:*} as bin/${p##*:}" test -x "$prefix/bin/${p##*:}"
    else check "did not install the unbuilt ${p%%:*}" test ! -e "$prefix/bin/${p##*:}"; fi
  done
  check "the installed skew-tracker-botcheck runs" sh -c "printf 'Googlebot/2.1 (+http://www.google.com/bot.html)\n' | '$prefix/bin/skew-tracker-botcheck' | grep -qx 1"

  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
  got=$(pkg-config --modversion skew_tracker 2>&1)
  if [ "$got" = "$version" ]; then ok "pkg-config --modversion skew_tracker: $got"; else bad "pkg-config --modversion: '$got', header says $version"; fi
  cflags=$(pkg-config --cflags skew_tracker)
  libs=$(pkg-config --libs skew_tracker)
  echo "     pkg-config --cflags: $cflags"
  # the consumer alone in its own folder: the only way to the header is pkg-config's
  rm -rf "$out/pc" && mkdir -p "$out/pc" && cp tests/packaging/consumer.c "$out/pc/"
  # shellcheck disable=SC2086
  check "consumer built with pkg-config --cflags" sh -c "cd '$out/pc' && $GCC $CSTD $WARN_C $cflags -MMD -o consumer consumer.c $libs"
  check "the consumer compiled the installed header" grep -q "$prefix/include/skew_tracker.h" "$out/pc/consumer.d"
  run_consumer pkg-config-consumer "$out/pc/consumer"
  unset PKG_CONFIG_PATH
  if command -v cmake >/dev/null 2>&1; then
    cmake_consumer make-install-find_package "$repo/tests/packaging/cmake_find" "-DCMAKE_PREFIX_PATH=$prefix"
    run_consumer make-install-find_package "$out/make-install-find_package/consumer"
  else
    echo "     (cmake not found: find_package against this prefix not tried)"
  fi

  check "make uninstall PREFIX=$prefix" $MAKE --no-print-directory -s uninstall PREFIX="$prefix"
  left=$(find "$prefix" -type f | head -n 5)
  if [ -z "$left" ]; then ok "uninstall left no file behind"; else bad "uninstall left: $left"; fi

  check "make install DESTDIR=$out/stage PREFIX=/usr/local" \
    $MAKE --no-print-directory -s install DESTDIR="$out/stage" PREFIX=/usr/local
  check "DESTDIR: the header under the staging folder" test -f "$out/stage/usr/local/include/skew_tracker.h"
  check "DESTDIR: skew_tracker.pc names the final prefix" grep -qx 'prefix=/usr/local' "$out/stage/usr/local/lib/pkgconfig/skew_tracker.pc"
  check "DESTDIR: the CMake package names the final include folder" \
    grep -q '"/usr/local/include"' "$out/stage/usr/local/lib/cmake/skew_tracker/skew_trackerConfig.cmake"
  check "make uninstall DESTDIR=..." $MAKE --no-print-directory -s uninstall DESTDIR="$out/stage" PREFIX=/usr/local
  left=$(find "$out/stage" -type f | head -n 5)
  if [ -z "$left" ]; then ok "DESTDIR uninstall left no file behind"; else bad "DESTDIR uninstall left: $left"; fi
  finish
  ;;
cmake)
  need cmake
  echo "     $(cmake --version | head -n 1)"
  rm -rf "$out/cmake-root" "$out/cmake-prefix"
  check "root CMakeLists.txt configures" cmake -S "$repo" -B "$out/cmake-root" "-DCMAKE_INSTALL_PREFIX=$out/cmake-prefix"
  check "cmake --install" cmake --install "$out/cmake-root"
  check "cmake --install: the header" cmp skew_tracker.h "$out/cmake-prefix/include/skew_tracker.h"
  cmake_consumer cmake-install-find_package "$repo/tests/packaging/cmake_find" "-DCMAKE_PREFIX_PATH=$out/cmake-prefix"
  run_consumer cmake-install-find_package "$out/cmake-install-find_package/consumer"
  if command -v pkg-config >/dev/null 2>&1; then
    pcdir=$(dirname "$(find "$out/cmake-prefix" -name skew_tracker.pc | head -n 1)")
    got=$(PKG_CONFIG_PATH=$pcdir pkg-config --modversion skew_tracker 2>&1)
    if [ "$got" = "$version" ]; then ok "cmake --install: skew_tracker.pc version $got"; else bad "cmake --install: skew_tracker.pc version '$got'"; fi
  fi
  cmake_consumer fetchcontent "$repo/tests/packaging/cmake_fetch" "-DSKEW_TRACKER_SOURCE_DIR=$repo"
  run_consumer fetchcontent-header "$out/fetchcontent/consumer"
  run_consumer fetchcontent-implementation-target "$out/fetchcontent/consumer_impl"
  cmake_consumer add_subdirectory "$repo/tests/packaging/cmake_subdir" "-DSKEW_TRACKER_SOURCE_DIR=$repo"
  run_consumer add_subdirectory-implementation-target "$out/add_subdirectory/consumer_impl"
  finish
  ;;
meson)
  need meson ninja
  echo "     meson $(meson --version), ninja $(ninja --version)"
  src=$out/meson-src
  rm -rf "$src" "$out/meson-build"
  mkdir -p "$src/subprojects"
  cp tests/packaging/meson_consumer/meson.build tests/packaging/consumer.c "$src/"
  ln -s "$repo" "$src/subprojects/skew_tracker" # the repository as it is, as a subproject
  # --force-fallback-for: an installed skew_tracker.pc must not stand in for the subproject
  check "meson setup with the subproject" meson setup --force-fallback-for=skew_tracker "$out/meson-build" "$src"
  check "meson: dependency('skew_tracker') found the subproject's override" \
    grep -q "Dependency skew_tracker found: YES $version (overridden)" "$out/meson-build/meson-logs/meson-log.txt"
  check "ninja builds the consumers" ninja -C "$out/meson-build"
  run_consumer meson-subproject "$out/meson-build/consumer"
  run_consumer meson-subproject-implementation "$out/meson-build/consumer_impl"
  finish
  ;;
manifests)
  need python3
  py=python3
  # Debian's python3 has python3-yaml; a python3 of its own (pyenv, venv) may not
  $py -c 'import yaml' 2>/dev/null || { [ -x /usr/bin/python3 ] && py=/usr/bin/python3; }
  $py -c 'import yaml' 2>/dev/null || { echo "skipped: python3-yaml not found"; exit 0; }
  check "library.json: PlatformIO manifest" $py - "$version" <<'EOF'
import glob, json, sys
m = json.load(open("library.json"))
want = sys.argv[1]
assert isinstance(m.get("name"), str) and m["name"] == "skew_tracker", "name"
assert m.get("version") == want, "version %r, header %r" % (m.get("version"), want)
assert isinstance(m.get("description"), str) and m["description"], "description"
assert isinstance(m.get("keywords"), list) and m["keywords"], "keywords"
assert "skew_tracker.h" in m.get("headers", []), "headers"
b = m.get("build", {})
assert b.get("includeDir") == ".", "build.includeDir"
# the repository root holds tests, fuzzers and servers: PlatformIO must compile none of them
assert b.get("srcFilter") == ["-<*>"], "build.srcFilter"
for pattern in m.get("export", {}).get("include", []):
    assert glob.glob(pattern), "export.include %s matches nothing" % pattern
for key in ("frameworks", "platforms"):
    assert isinstance(m.get(key), (str, list)), key
EOF
  check "idf_component.yml: ESP-IDF component manifest" $py - "$version" <<'EOF'
import sys, yaml
m = yaml.safe_load(open("idf_component.yml"))
assert isinstance(m, dict), "a mapping"
assert str(m.get("version")) == sys.argv[1], "version %r" % m.get("version")
assert isinstance(m.get("description"), str) and m["description"], "description"
assert isinstance(m.get("license"), str) and m["license"], "license"
deps = m.get("dependencies", {})
assert isinstance(deps, dict) and "version" in deps.get("idf", {}), "dependencies.idf.version"
assert all(isinstance(p, str) for p in m.get("files", {}).get("exclude", [])), "files.exclude"
EOF
  if command -v cmake >/dev/null 2>&1; then
    # ESP-IDF first runs a component's CMakeLists.txt in script mode with ESP_PLATFORM set and
    # its own idf_component_register: the same here, with a stand-in that prints its arguments
    cat >"$out/esp_idf_stub.cmake" <<EOF
set(ESP_PLATFORM 1)
function(idf_component_register)
  message(STATUS "idf_component_register(\${ARGN})")
endfunction()
include("$repo/CMakeLists.txt")
message(STATUS "after the component")
EOF
    check "CMakeLists.txt under ESP_PLATFORM: parses and registers the component" cmake -P "$out/esp_idf_stub.cmake"
    check "CMakeLists.txt under ESP_PLATFORM: idf_component_register(INCLUDE_DIRS .), nothing else" \
      sh -c "cmake -P '$out/esp_idf_stub.cmake' 2>&1 | grep -qx -- '-- idf_component_register(INCLUDE_DIRS;.)'"
  else
    echo "     (cmake not found: the ESP_PLATFORM path not parsed)"
  fi
  check "meson.build: version $version" grep -q "version: '$version'" meson.build
  check "CHANGELOG.md: a section for $version" grep -qE "^## \[?$version\]?" CHANGELOG.md
  finish
  ;;
*)
  echo "usage: $0 install|cmake|meson|manifests" >&2; exit 2 ;;
esac
