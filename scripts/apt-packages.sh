# Sourced by the setup scripts: installs the Debian packages a test stage needs when they are missing.
# install_debian_packages <log prefix> <required: yes|no> <package>...
# Without root it prints the apt-get line to run; it then fails when the packages are required and
# returns 1 otherwise (the caller's tests skip with their own reason).
install_debian_packages() {
  local prefix=$1 required=$2
  shift 2
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    printf '[%s] missing Debian packages: %s — run: sudo apt-get install -y %s\n' "$prefix" "${missing[*]}" "${missing[*]}" >&2
    [ "$required" = yes ] && exit 1
    return 1
  fi
  printf '[%s] apt-get install %s\n' "$prefix" "${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
