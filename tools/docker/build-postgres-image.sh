#!/usr/bin/env bash
# Builds the local PostgreSQL image that the Testcontainers tests use, on machines that reach no image
# registry (nothing can be pulled) but do reach a Debian mirror.
#
#   tools/docker/build-postgres-image.sh            # build once; does nothing when the image exists
#   PGLOGREPL_PG_IMAGE=name:tag tools/docker/...    # another image name (the tests read the same variable)
#   tools/docker/build-postgres-image.sh --rebuild  # build again even when the image exists
#
# What it does, each step only when needed:
#   1. Docker: when no daemon answers and we are root with apt, installs Debian's docker.io and starts
#      /usr/sbin/dockerd in the background (log: /var/log/pglogrepl-dockerd.log), waiting up to 60 s for it.
#   2. Skips the rest when the image already exists.
#   3. Installs debootstrap (root + apt), builds a minimal Debian bookworm root file system with the
#      postgresql-15 package from the mirror named in /etc/apt/sources.list(.d) (override: DEBIAN_MIRROR),
#      adds an entrypoint that follows the official postgres image's contract (POSTGRES_USER,
#      POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_HOST_AUTH_METHOD, PGDATA; `postgres ARGS...` runs the
#      server with ARGS), and imports it with `docker import`.
#
# With a registry none of this is needed: use the official image (e.g. postgres:18) instead.
#
# It never fails the caller for a missing capability: when it cannot build (not root, no apt, no daemon)
# it says why and exits 0, and the tests that need the image skip themselves with a message.
# It exits non-zero only when a build that was possible went wrong.
set -uo pipefail

IMAGE="${PGLOGREPL_PG_IMAGE:-pglogrepl/postgres:15-local}"
SUITE=bookworm
PG_MAJOR=15
DOCKERD_LOG=/var/log/pglogrepl-dockerd.log
REBUILD=false
[ "${1:-}" = "--rebuild" ] && REBUILD=true

log() { echo "[build-postgres-image +${SECONDS}s] $*"; }
cannot() {
	log "$* -- not building $IMAGE; tests that need it will skip themselves."
	exit 0
}

is_root() { [ "$(id -u)" = 0 ]; }
have_apt() { command -v apt-get >/dev/null 2>&1; }
APT_UPDATED=false
apt_install() {
	if ! $APT_UPDATED; then
		apt-get update -qq || return 1
		APT_UPDATED=true
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The Debian client talks to Debian's daemon; fall back to whatever `docker` is on the PATH.
docker_cli() {
	if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker || true; fi
}
daemon_answers() {
	local cli
	cli=$(docker_cli)
	[ -n "$cli" ] && timeout 10 "$cli" info >/dev/null 2>&1
}

# ---- 1. a Docker daemon ----------------------------------------------------------------------------
if ! daemon_answers; then
	if [ ! -x /usr/sbin/dockerd ] || [ ! -x /usr/bin/docker ]; then
		is_root || cannot "No Docker daemon answers and we are not root (cannot install docker.io)"
		have_apt || cannot "No Docker daemon answers and apt-get is missing (cannot install docker.io)"
		log "Installing Debian's docker.io..."
		apt_install docker.io || cannot "apt-get install docker.io failed"
	fi
	is_root || cannot "No Docker daemon answers and we are not root (cannot start dockerd)"
	if pgrep -x dockerd >/dev/null 2>&1; then
		cannot "A dockerd is running but does not answer (DOCKER_HOST=${DOCKER_HOST:-unset})"
	fi
	log "Starting /usr/sbin/dockerd in the background (log: $DOCKERD_LOG)..."
	# setsid: the daemon outlives this script and its caller's process group
	setsid /usr/sbin/dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
	dockerd_pid=$!
	for _ in $(seq 1 60); do
		daemon_answers && break
		kill -0 "$dockerd_pid" 2>/dev/null || break
		sleep 1
	done
	daemon_answers || cannot "dockerd did not start or answer within 60 s (see $DOCKERD_LOG)"
	log "Docker daemon is up."
fi
DOCKER=$(docker_cli)

# ---- 2. the image, once ----------------------------------------------------------------------------
if ! $REBUILD && "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
	log "Image $IMAGE already exists (--rebuild to build it again)."
	exit 0
fi

# ---- 3. build it from Debian packages --------------------------------------------------------------
is_root || cannot "Building the image needs root (debootstrap)"
if ! command -v debootstrap >/dev/null 2>&1; then
	have_apt || cannot "debootstrap is missing and apt-get is missing"
	log "Installing debootstrap..."
	apt_install debootstrap || cannot "apt-get install debootstrap failed"
fi

# The Debian mirror this machine's apt uses for $SUITE (one-line .list and deb822 .sources formats).
debian_mirror() {
	local files=() f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v suite="$SUITE" '
		function flush() { if (!done && uris != "" && (" " suites " ") ~ (" " suite " ")) { split(uris, u, " "); print u[1]; done = 1; exit } uris = ""; suites = "" }
		FNR == 1 { flush() }
		/^[ \t]*#/ { next }
		/^deb[ \t]/ {                                   # one-line format: deb [options] URI suite components
			n = split($0, w, /[ \t]+/); i = 2
			if (w[i] ~ /^\[/) { while (i <= n && w[i] !~ /\]$/) i++; i++ }
			if (w[i + 1] == suite) { print w[i]; done = 1; exit }
			next
		}
		/^[ \t]*$/ { flush(); next }                    # deb822 paragraphs
		/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
		/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
		END { flush() }
	' "${files[@]}"
}
MIRROR="${DEBIAN_MIRROR:-$(debian_mirror)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

WORK=$(mktemp -d /var/tmp/pglogrepl-pg-image.XXXXXX)
ROOTFS="$WORK/rootfs"
cleanup() {
	# debootstrap mounts proc/sys inside the target; never delete through a mount point
	local m
	for m in proc sys dev/pts dev; do
		mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -l "$ROOTFS/$m" 2>/dev/null
	done
	rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

log "debootstrap $SUITE with postgresql-$PG_MAJOR from $MIRROR (a few minutes)..."
if ! debootstrap --variant=minbase --include="postgresql-$PG_MAJOR" "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
	tail -n 30 "$WORK/debootstrap.log"
	log "debootstrap failed."
	exit 1
fi

# The package created a cluster (/etc/postgresql/15/main); the image initialises its own in $PGDATA.
rm -rf "$ROOTFS/etc/postgresql/$PG_MAJOR/main" "$ROOTFS/var/lib/postgresql/$PG_MAJOR/main"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
mkdir -p "$ROOTFS/var/lib/postgresql/data" "$ROOTFS/docker-entrypoint-initdb.d"
chroot "$ROOTFS" chown postgres:postgres /var/lib/postgresql /var/lib/postgresql/data

cat >"$ROOTFS/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/bash
# Entrypoint of the locally built PostgreSQL image, following the official postgres image's contract:
#   POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (default postgres),
#   POSTGRES_DB (default POSTGRES_USER; created unless it is postgres), POSTGRES_INITDB_ARGS, PGDATA.
#   `postgres ARGS...` (the default command) initialises PGDATA on first start -- with a temporary server
#   on the Unix socket only, so "database system is ready to accept connections" is logged twice -- then
#   runs the server as the postgres user, listening on all addresses, with ARGS (e.g. -c wal_level=logical).
#   Other commands run as given.
set -Eeo pipefail

if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi
if [ "$1" != 'postgres' ]; then
	exec "$@"
fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

if [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA"
	chmod 3777 /var/run/postgresql
	chown -R postgres:postgres "$PGDATA" /var/run/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

shift # the rest goes to the server
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
AUTH="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$AUTH" != 'trust' ]; then
		echo >&2 'error: database is uninitialized and POSTGRES_PASSWORD is not set'
		echo >&2 '       (set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow any connection)'
		exit 1
	fi
	# shellcheck disable=SC2086
	initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
		--encoding=UTF8 --locale=C.UTF-8 $POSTGRES_INITDB_ARGS
	{
		echo
		echo "listen_addresses = '*'"
	} >>"$PGDATA/postgresql.conf"
	{
		echo
		echo '# from the Docker network (the image entrypoint)'
		echo "host all all all $AUTH"
		echo "host replication all all $AUTH"
	} >>"$PGDATA/pg_hba.conf"

	# initialisation server: Unix socket only, so nobody connects before it is done
	server_args=""
	[ $# -gt 0 ] && server_args="$(printf '%q ' "$@")"
	pg_ctl -D "$PGDATA" -o "$server_args -c listen_addresses=''" -w start
	if [ "$POSTGRES_DB" != 'postgres' ]; then
		psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname postgres \
			--set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh) echo "$0: running $f"; . "$f" ;;
			*.sql) echo "$0: running $f"; psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname "$POSTGRES_DB" -f "$f" ;;
			*) ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo
	echo 'PostgreSQL init process complete; ready for start up.'
	echo
fi

exec postgres "$@"
ENTRYPOINT
chmod 755 "$ROOTFS/usr/local/bin/docker-entrypoint.sh"

log "Importing $IMAGE..."
if ! tar -C "$ROOTFS" -c . | "$DOCKER" import \
	-c 'ENTRYPOINT ["docker-entrypoint.sh"]' \
	-c 'CMD ["postgres"]' \
	-c 'EXPOSE 5432' \
	-c "ENV PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
	-c 'ENV PGDATA=/var/lib/postgresql/data' \
	-c 'ENV LANG=C.UTF-8' \
	-m "PostgreSQL $PG_MAJOR from Debian $SUITE ($MIRROR), built by tools/docker/build-postgres-image.sh" \
	- "$IMAGE" >/dev/null; then
	log "docker import failed."
	exit 1
fi
log "Built $IMAGE in $SECONDS s ($("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1 / 1000000}')). Try:"
log "  docker run --rm -e POSTGRES_PASSWORD=secret -p 127.0.0.1::5432 $IMAGE postgres -c wal_level=logical"
