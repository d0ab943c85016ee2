#!/usr/bin/env bash
# Make the images berth uses by default available on the local Docker engine.
#
# For each image: if it is already present, keep it. Otherwise try
# `docker pull` (people with internet access get the official image); if that
# fails, build an offline stand-in from Debian packages (Dockerfiles in
# scripts/offline-images/<name>/) and tag it with the official name. Stand-ins
# carry the label org.berth.stand-in=true. See scripts/offline-images/README.md.
#
# Prints one line per image on stdout; progress goes to stderr.
#
# Environment:
#   BERTH_NO_PULL=1            do not try `docker pull` first
#   BERTH_PULL_TIMEOUT=20      seconds allowed for each pull attempt
#   BERTH_DEBIAN_MIRROR=URI    Debian mirror (default: taken from the host's apt sources)
#   BERTH_DEBIAN_SECURITY_MIRROR=URI   likewise for bookworm-security ("none" to skip)
#   BERTH_OFFLINE_WORKDIR=DIR  scratch space and build logs (default /var/tmp/berth-offline-images)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGES_DIR="$SCRIPT_DIR/offline-images"
BASE_IMAGE="berth-offline/debian:bookworm"
BASE_SUITE="bookworm"
WORK_ROOT="${BERTH_OFFLINE_WORKDIR:-/var/tmp/berth-offline-images}"
PULL_TIMEOUT="${BERTH_PULL_TIMEOUT:-20}"
# The classic builder: part of every engine, honours --network host, needs no buildx.
export DOCKER_BUILDKIT=0

# image name | directory under scripts/offline-images | pull first? (no = berth's own name)
IMAGES=(
	"python:3.12-slim|python|yes"
	"postgres:16|postgres|yes"
	"redis:7|redis|yes"
	"berth-test/busybox:latest|busybox|no"
)

log() { printf 'offline-images: %s\n' "$*" >&2; }
die() { printf 'offline-images: error: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
	-h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	'') ;;
	*) die "unexpected argument: $1 (see --help)" ;;
esac

command -v docker >/dev/null 2>&1 || die "the docker CLI is not installed (run scripts/setup-local-engine.sh)"
timeout 30 docker info >/dev/null 2>&1 || die "the Docker engine does not answer (run scripts/setup-local-engine.sh)"

mkdir -p "$WORK_ROOT"
# One run at a time (parallel test workers may call this together).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$WORK_ROOT/.lock"
	if ! flock -n 9; then
		log "another offline-images run holds $WORK_ROOT/.lock; waiting for it (up to 15 min)"
		flock -w 900 9 || die "timed out waiting for $WORK_ROOT/.lock"
	fi
fi

image_present() { docker image inspect "$1" >/dev/null 2>&1; }
image_label() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

# Fingerprint of a stand-in's recipe (its directory), so an edited Dockerfile
# leads to a rebuild while an unchanged one is reused.
recipe_hash() {
	(cd "$1" && find . -type f -print | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16
}

# --- Debian mirror -----------------------------------------------------------

# Prints "URI SUITE" for every enabled deb source of the host (one-line .list
# format and deb822 .sources format).
host_apt_sources() {
	local files=() f
	[ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ "${#files[@]}" -gt 0 ] || return 0
	awk '
		function flush(   n, m, i, j, U, S) {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
				n = split(uris, U, /[ \t]+/); m = split(suites, S, /[ \t]+/)
				for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (U[i] != "" && S[j] != "") print U[i], S[j]
			}
			types = uris = suites = enabled = ""
		}
		FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
		deb822 {
			if ($0 ~ /^[ \t]*$/) { flush(); next }
			if ($0 ~ /^#/) next
			if (match($0, /^[A-Za-z-]+:/)) {
				key = tolower(substr($0, 1, RLENGTH - 1)); val = substr($0, RLENGTH + 1)
				gsub(/^[ \t]+|[ \t]+$/, "", val)
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "enabled") enabled = tolower(val)
			}
			next
		}
		/^[ \t]*deb[ \t]/ {
			line = $0; sub(/^[ \t]*deb[ \t]+/, "", line)
			if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
			split(line, F, /[ \t]+/); print F[1], F[2]
		}
		END { flush() }
	' "${files[@]}"
}

detect_mirrors() {
	local sources codename=""
	sources="$(host_apt_sources)"
	if [ -r /etc/os-release ]; then
		# shellcheck disable=SC1091
		codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
	fi
	DEBIAN_MIRROR="${BERTH_DEBIAN_MIRROR:-}"
	if [ -z "$DEBIAN_MIRROR" ]; then
		# The host's Debian archive: the entry for bookworm itself, or for the
		# host's own release (a Debian mirror carries every release).
		DEBIAN_MIRROR="$(awk -v s="$BASE_SUITE" '$2 == s { print $1; exit }' <<<"$sources")"
		if [ -z "$DEBIAN_MIRROR" ] && [ -n "$codename" ]; then
			DEBIAN_MIRROR="$(awk -v s="$codename" '$2 == s { print $1; exit }' <<<"$sources")"
		fi
	fi
	[ -n "$DEBIAN_MIRROR" ] || die "could not find a Debian mirror for '$BASE_SUITE' in /etc/apt/sources.list or /etc/apt/sources.list.d/; set BERTH_DEBIAN_MIRROR=<URI of a Debian archive>"
	DEBIAN_MIRROR="${DEBIAN_MIRROR%/}"

	DEBIAN_SECURITY_MIRROR="${BERTH_DEBIAN_SECURITY_MIRROR:-}"
	if [ -z "$DEBIAN_SECURITY_MIRROR" ]; then
		DEBIAN_SECURITY_MIRROR="$(awk -v s="$BASE_SUITE-security" '$2 == s { print $1; exit }' <<<"$sources")"
		if [ -z "$DEBIAN_SECURITY_MIRROR" ] && [ -n "$codename" ]; then
			DEBIAN_SECURITY_MIRROR="$(awk -v s="$codename-security" '$2 == s { print $1; exit }' <<<"$sources")"
		fi
	fi
	[ "$DEBIAN_SECURITY_MIRROR" = none ] && DEBIAN_SECURITY_MIRROR=""
	DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR%/}"
}

# --- base image: debootstrap of Debian bookworm, imported into Docker ----------

ROOTFS=""

unmount_under() {
	# Unmount anything debootstrap may have left mounted below $1 (deepest first).
	local dir="$1" mnt
	[ -r /proc/mounts ] || return 0
	awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mnt; do
		umount -l "$mnt" 2>/dev/null || true
	done
}

cleanup_rootfs() {
	if [ -n "$ROOTFS" ] && [ -d "$ROOTFS" ]; then
		unmount_under "$ROOTFS"
		rm -rf --one-file-system "$ROOTFS"
	fi
}
trap cleanup_rootfs EXIT
trap 'exit 130' INT TERM

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root"
}

apt_install_host() {
	need_root "installing $* on this machine"
	log "installing $* with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "$@" >&2 || die "apt-get install $* failed"
}

# Writes the Debian-image conventions (as in Docker's official debian images) and
# the apt configuration into the fresh root file system.
configure_rootfs() {
	local r="$1" valid_until="" http_proxy_conf="" https_proxy_conf=""

	rm -f "$r/etc/apt/sources.list"
	mkdir -p "$r/etc/apt/sources.list.d"
	{
		printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$DEBIAN_MIRROR" "$BASE_SUITE" "$BASE_SUITE"
		if [ -n "$DEBIAN_SECURITY_MIRROR" ]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				"$DEBIAN_SECURITY_MIRROR" "$BASE_SUITE"
		fi
	} >"$r/etc/apt/sources.list.d/debian.sources"

	# Carry over the host's apt settings that decide whether the mirror works.
	eval "$(apt-config shell valid_until Acquire::Check-Valid-Until 2>/dev/null || true)"
	eval "$(apt-config shell http_proxy_conf Acquire::http::Proxy 2>/dev/null || true)"
	eval "$(apt-config shell https_proxy_conf Acquire::https::Proxy 2>/dev/null || true)"
	{
		echo '// written by berth scripts/offline-images.sh from the host apt configuration'
		[ -n "$valid_until" ] && printf 'Acquire::Check-Valid-Until "%s";\n' "$valid_until"
		[ -n "$http_proxy_conf" ] && printf 'Acquire::http::Proxy "%s";\n' "$http_proxy_conf"
		[ -n "$https_proxy_conf" ] && printf 'Acquire::https::Proxy "%s";\n' "$https_proxy_conf"
		true
	} >"$r/etc/apt/apt.conf.d/90berth-host"

	cat >"$r/etc/apt/apt.conf.d/docker-clean" <<-'EOF'
		DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		Dir::Cache::pkgcache "";
		Dir::Cache::srcpkgcache "";
	EOF
	printf 'Acquire::Languages "none";\n' >"$r/etc/apt/apt.conf.d/docker-no-languages"
	printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$r/etc/apt/apt.conf.d/docker-no-recommends"
	mkdir -p "$r/etc/dpkg/dpkg.cfg.d"
	cat >"$r/etc/dpkg/dpkg.cfg.d/docker-slim" <<-'EOF'
		path-exclude /usr/share/doc/*
		path-include /usr/share/doc/*/copyright
		path-exclude /usr/share/man/*
		path-exclude /usr/share/info/*
		path-exclude /usr/share/lintian/*
		path-exclude /usr/share/locale/*
		path-include /usr/share/locale/locale.alias
	EOF
	# Package scripts must not try to start services inside image builds.
	printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
	chmod 0755 "$r/usr/sbin/policy-rc.d"

	# Host-specific files: Docker provides these at run time.
	: >"$r/etc/resolv.conf"
	: >"$r/etc/hostname"
	[ -e "$r/etc/machine-id" ] && : >"$r/etc/machine-id"
	rm -rf "$r/var/lib/apt/lists/"* "$r/var/cache/apt/"*.bin "$r/var/cache/apt/archives/"*.deb "$r/var/log/"*.log
	mkdir -p "$r/var/lib/apt/lists/partial"
}

base_recipe_hash() {
	{ declare -f build_base configure_rootfs; printf '%s\n' "$BASE_SUITE"; } | sha256sum | cut -c1-16
}

build_base() {
	local started=$SECONDS log_file="$WORK_ROOT/debootstrap.log"
	need_root "building $BASE_IMAGE (debootstrap)"
	command -v debootstrap >/dev/null 2>&1 || apt_install_host debootstrap
	[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || apt_install_host debian-archive-keyring
	detect_mirrors
	log "building $BASE_IMAGE: debootstrap --variant=minbase $BASE_SUITE from $DEBIAN_MIRROR (log: $log_file)"

	ROOTFS="$WORK_ROOT/rootfs"
	cleanup_rootfs
	mkdir -p "$ROOTFS"
	(
		# debootstrap talks to the mirror with wget, which reads these.
		proxy=""
		eval "$(apt-config shell proxy Acquire::http::Proxy 2>/dev/null || true)"
		if [ -n "$proxy" ] && [ "$proxy" != DIRECT ] && [ -z "${http_proxy:-}" ]; then export http_proxy="$proxy"; fi
		debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			"$BASE_SUITE" "$ROOTFS" "$DEBIAN_MIRROR"
	) >"$log_file" 2>&1 || {
		tail -n 30 "$log_file" >&2
		die "debootstrap of $BASE_SUITE from $DEBIAN_MIRROR failed (full log: $log_file)"
	}
	configure_rootfs "$ROOTFS"

	log "importing the root file system as $BASE_IMAGE"
	tar --numeric-owner -C "$ROOTFS" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
		docker import \
			--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			--change 'CMD ["bash"]' \
			--change 'LABEL org.berth.stand-in="true"' \
			--change "LABEL org.berth.stand-in.recipe=\"$(base_recipe_hash)\"" \
			--change "LABEL org.opencontainers.image.description=\"Debian $BASE_SUITE (debootstrap --variant=minbase from $DEBIAN_MIRROR), base of berth's offline stand-in images\"" \
			--message "berth offline base: debootstrap --variant=minbase $BASE_SUITE" \
			- "$BASE_IMAGE" >/dev/null ||
		die "docker import of the $BASE_SUITE root file system failed"
	cleanup_rootfs
	ROOTFS=""
	docker run --rm "$BASE_IMAGE" true || die "$BASE_IMAGE was imported but does not run"
	log "built $BASE_IMAGE in $((SECONDS - started)) s"
}

ensure_base() {
	if image_present "$BASE_IMAGE" && [ "$(image_label "$BASE_IMAGE" org.berth.stand-in.recipe)" = "$(base_recipe_hash)" ]; then
		return 0
	fi
	build_base
}

# --- the images ----------------------------------------------------------------

build_standin() {
	local name="$1" dir="$IMAGES_DIR/$2" hash="$3" started=$SECONDS log_file old_id new_id
	log_file="$WORK_ROOT/build-$2.log"
	[ -f "$dir/Dockerfile" ] || die "missing $dir/Dockerfile"
	ensure_base
	old_id="$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)"
	log "building the stand-in for $name from $dir (log: $log_file)"
	# --network host: apt-get inside the build reaches the mirror the host reaches.
	if ! docker build --network host --force-rm -t "$name" \
		--label org.berth.stand-in=true \
		--label "org.berth.stand-in.recipe=$hash" \
		"$dir" >"$log_file" 2>&1; then
		tail -n 40 "$log_file" >&2
		die "building the stand-in for $name failed (full log: $log_file)"
	fi
	# Tidy up: the image this one replaces, and throw-away build stages.
	new_id="$(docker image inspect -f '{{.Id}}' "$name")"
	if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
		docker rmi "$old_id" >/dev/null 2>&1 || true
	fi
	docker image prune -f --filter label=org.berth.build-stage=true >/dev/null 2>&1 || true
	log "built $name in $((SECONDS - started)) s"
}

report() { printf '%-27s %s\n' "$1" "$2"; }

describe_standin() {
	local pkgs
	pkgs="$(image_label "$1" org.berth.stand-in.debian-packages)"
	report "$1" "stand-in built from Debian packages${pkgs:+ ($pkgs)}"
}

ensure_image() {
	local name="$1" dirname="$2" pull="$3" hash standin
	hash="$(recipe_hash "$IMAGES_DIR/$dirname")"
	if image_present "$name"; then
		standin="$(image_label "$name" org.berth.stand-in)"
		if [ "$standin" != true ]; then
			report "$name" "official (already present)"
			return 0
		fi
		if [ "$(image_label "$name" org.berth.stand-in.recipe)" = "$hash" ]; then
			describe_standin "$name"
			return 0
		fi
		log "$name is a stand-in from an older recipe; replacing it"
	fi
	if [ "$pull" = yes ] && [ "${BERTH_NO_PULL:-0}" != 1 ]; then
		log "trying: docker pull $name (timeout ${PULL_TIMEOUT} s)"
		if timeout "$PULL_TIMEOUT" docker pull "$name" >"$WORK_ROOT/pull.log" 2>&1; then
			report "$name" "official (pulled)"
			return 0
		fi
		log "cannot pull $name: $(tail -n 1 "$WORK_ROOT/pull.log")"
	fi
	build_standin "$name" "$dirname" "$hash"
	describe_standin "$name"
}

for entry in "${IMAGES[@]}"; do
	IFS='|' read -r name dirname pull <<<"$entry"
	ensure_image "$name" "$dirname" "$pull"
done
