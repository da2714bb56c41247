#!/usr/bin/env bash
# Make sure the machine has what the project needs outside Python: Java 17, Maven, and Chromium
# (headless, for the tests that screenshot the HTML briefing).
# Debian/Ubuntu: installs them with apt-get when missing (root or sudo). Prints nothing when all is there.
set -euo pipefail

java17_home() {
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/temurin-17-*; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && "$candidate/bin/java" -version 2>&1 | grep -q 'version "17'; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ "${1:-}" = "--java-home" ]; then java17_home || true; exit 0; fi

missing=()
java17_home >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
java17_home >/dev/null || { echo "Java 17 is required and could not be installed" >&2; exit 1; }
