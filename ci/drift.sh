#!/usr/bin/env bash
# Drift detection, called by the scheduled drift jobs (.gitlab-ci.yml `drift`, and the
# `rendered` job of .github/workflows/drift.yml) once the packages are installed:
#
#   ci/drift.sh rendered   the `rendered` branch is built from HEAD (the drySha of its root
#                          hydrator.metadata) and holds exactly what HEAD renders to
#   ci/drift.sh <stack>    `pulumi preview --refresh --expect-no-changes` on that stack: fails when
#                          the cloud was changed outside Git, or infra/ on main was not applied
#
# Exit status: 0 no drift; 1 drift, or what stopped the check; 3 the rendered branch is still
# catching up with a merge younger than GRACE_MINUTES (the jobs let that pass with a warning).
#
# Cloud access is OpenID Connect only. On GitLab the job's id_tokens give AWS_ID_TOKEN (audience
# sts.amazonaws.com), written to a private file for the AWS SDK's web-identity login with the
# role in AWS_DRIFT_ROLE_ARN_<STACK>, and PULUMI_ID_TOKEN (audience urn:pulumi:org:<org>),
# exchanged for a short-lived Pulumi Cloud token when PULUMI_ORGANIZATION is set; a
# self-managed backend is PULUMI_BACKEND_URL (an s3:// bucket read with the role). On GitHub the
# workflow's actions log in first and this script finds the credentials in the environment.
# No token is ever echoed; `set -x` is never turned on here.
set -euo pipefail

on_github() { [ "${GITHUB_ACTIONS:-}" = true ]; }

# fail TITLE MESSAGE: an error annotation on GitHub, a plain error line elsewhere; exits 1.
fail() {
  if on_github; then
    echo "::error title=$1::$2"
    [ -n "${GITHUB_STEP_SUMMARY:-}" ] && echo "### :x: $1" >>"$GITHUB_STEP_SUMMARY"
  else
    printf '\033[31mERROR: %s\033[0m\n  %s\n' "$1" "$2"
  fi
  exit 1
}

warn() {
  if on_github; then echo "::warning title=$1::$2"; else printf '\033[33mWARNING: %s\033[0m\n  %s\n' "$1" "$2"; fi
}

rendered() {
  local grace=${GRACE_MINUTES:-30} head dry age branches layout b behind=''
  git fetch --no-tags --depth=1 origin +refs/heads/rendered:refs/remotes/origin/rendered ||
    fail 'No rendered branch' "cannot fetch the rendered branch from origin: has the rendered-branch job ever run on main?"
  # spec.layout environment-branches: the proposed branches; and the hydrator notes, which move
  # even when a dry commit renders nothing new (GitOps Promoter reads them first, as this does).
  git fetch --no-tags --depth=1 origin '+refs/heads/environment/*:refs/remotes/origin/environment/*' 2>/dev/null || true
  git fetch --no-tags origin '+refs/notes/hydrator.metadata:refs/notes/hydrator.metadata' 2>/dev/null || echo "no hydrator notes yet"
  head=$(git rev-parse HEAD)
  branches=$(git for-each-ref --format='%(refname:short)' 'refs/remotes/origin/environment/*-next')
  layout=environment-branches
  if [ -z "$branches" ]; then branches=origin/rendered; layout=single-branch; fi
  for b in $branches; do
    dry=$( (git notes --ref=hydrator.metadata show "$b" 2>/dev/null || git show "$b:hydrator.metadata" 2>/dev/null) |
      node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { process.stdout.write(String(JSON.parse(s).drySha ?? "")); } catch {} });')
    [ -n "$dry" ] || fail 'Rendered branch has no provenance' "$b has no drySha in its hydrator note or its root hydrator.metadata: it was not written by npm run rendered:commit"
    if [ "$dry" = "$head" ]; then echo "$b is hydrated at HEAD ($head)"; else behind="$behind $b@${dry:0:7}"; fi
  done
  if [ -n "$behind" ]; then
    age=$(($(date +%s) - $(git log -1 --format=%ct HEAD)))
    if [ "$age" -lt $((grace * 60)) ]; then
      warn 'Rendered branch catching up' "${behind# } not at HEAD ${head:0:7} yet; HEAD is ${age}s old, the rendered-branch job may still be running"
      exit 3
    fi
    fail 'Rendered branch is behind main' "${behind# } not hydrated at HEAD ${head:0:7} (main for ${age}s): the rendered-branch job failed or did not run. Run it again for main's HEAD."
  fi
  # The content check reads one branch holding every environment: the single-branch layout.
  [ "$layout" = single-branch ] || return 0
  FORCE_COLOR=${FORCE_COLOR:-1} npm run --silent diff -- --base origin/rendered --exit-code ||
    fail 'Rendered branch differs from the render' "origin/rendered was built from HEAD (${head:0:7}) but does not hold what it renders to (the diff above): it was changed by hand, or the render is not deterministic. Run the rendered-branch job again."
}

# The Pulumi CLI: the one on PATH, else PULUMI_VERSION from Pulumi's releases, checked against
# the release's checksums.
ensure_pulumi() {
  command -v pulumi >/dev/null && return
  local version=${PULUMI_VERSION:?PULUMI_VERSION (e.g. 3.248.0) is needed to install the Pulumi CLI} dir base file
  dir="$HOME/.pulumi-cli/$version"
  if [ ! -x "$dir/pulumi/pulumi" ]; then
    base="https://get.pulumi.com/releases/sdk"
    file="pulumi-v${version}-linux-x64.tar.gz"
    mkdir -p "$dir"
    curl -fsSL -o "$dir/$file" "$base/$file"
    curl -fsSL "$base/pulumi-${version}-checksums.txt" | grep " ${file}\$" | (cd "$dir" && sha256sum -c --quiet -) ||
      fail 'Pulumi CLI checksum' "the download of $file does not match pulumi-${version}-checksums.txt"
    tar -xzf "$dir/$file" -C "$dir"
  fi
  export PATH="$dir/pulumi:$PATH"
}

stack() {
  local stack=$1 role_var role stack_name
  [[ $stack =~ ^[a-z0-9][a-z0-9-]*$ ]] || fail 'Unknown drift target' "'$stack' is neither 'rendered' nor a stack name"
  # global: the EXIT trap removes it after the function has returned
  secrets=$(mktemp -d)
  trap 'rm -rf "$secrets"' EXIT
  if [ -n "${AWS_ID_TOKEN:-}" ]; then
    role_var="AWS_DRIFT_ROLE_ARN_$(printf '%s' "$stack" | tr 'a-z-' 'A-Z_')"
    role=${!role_var:-}
    [ -n "$role" ] || fail 'No AWS role' "set the CI/CD variable $role_var to the ARN of a read-only role that trusts this project's OIDC tokens"
    (umask 077 && printf '%s' "$AWS_ID_TOKEN" >"$secrets/aws-web-identity-token")
    export AWS_WEB_IDENTITY_TOKEN_FILE="$secrets/aws-web-identity-token" AWS_ROLE_ARN="$role" AWS_ROLE_SESSION_NAME="gitops-bridge-drift-$stack"
    unset AWS_ID_TOKEN
  fi
  ensure_pulumi
  if [ -n "${PULUMI_BACKEND_URL:-}" ]; then
    pulumi login --non-interactive "$PULUMI_BACKEND_URL" >/dev/null
    stack_name=$stack
  elif [ -n "${PULUMI_ORGANIZATION:-}" ]; then
    if [ -z "${PULUMI_ACCESS_TOKEN:-}" ]; then
      [ -n "${PULUMI_ID_TOKEN:-}" ] || fail 'No Pulumi token' 'PULUMI_ORGANIZATION is set but the job has no PULUMI_ID_TOKEN (id_tokens, audience urn:pulumi:org:<organization>) to exchange'
      PULUMI_ACCESS_TOKEN=$(pulumi_token_exchange) || fail 'Pulumi Cloud refused the OIDC token' "register this GitLab as an OIDC issuer of the organization ${PULUMI_ORGANIZATION} with a policy for this project (see README, CI)"
      export PULUMI_ACCESS_TOKEN
      unset PULUMI_ID_TOKEN
    fi
    pulumi login --non-interactive "${PULUMI_CLOUD_URL:-https://api.pulumi.com}" >/dev/null
    stack_name="$PULUMI_ORGANIZATION/$stack"
  else
    fail 'No Pulumi backend' 'set the CI/CD variable PULUMI_BACKEND_URL (a self-managed backend) or PULUMI_ORGANIZATION (Pulumi Cloud through OIDC)'
  fi
  echo "pulumi preview --refresh --expect-no-changes on stack $stack_name"
  pulumi preview --non-interactive --cwd infra --stack "$stack_name" --refresh --expect-no-changes --diff ||
    fail "Infrastructure drift in $stack" "pulumi preview --refresh found changes in stack $stack: the cloud was changed outside Git, or infra/ on main was not applied. Run 'pulumi preview --refresh --diff' on $stack, then apply or revert, and refresh infra/outputs/$stack.json."
  echo "no drift in stack $stack"
}

# OAuth 2.0 token exchange (RFC 8693) of the job's OIDC token for a Pulumi Cloud organization
# token; prints the token on stdout only (captured by the caller), never to the log.
pulumi_token_exchange() {
  node --input-type=module -e '
    const api = (process.env.PULUMI_CLOUD_URL || "https://api.pulumi.com").replace(/\/+$/, "");
    const body = new URLSearchParams({
      audience: `urn:pulumi:org:${process.env.PULUMI_ORGANIZATION}`,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:pulumi:token-type:access_token:organization",
      expiration: "7200",
      subject_token: process.env.PULUMI_ID_TOKEN,
    });
    const r = await fetch(`${api}/api/oauth/token`, { method: "POST", body });
    const data = await r.json().catch(() => ({}));
    if (!r.ok || typeof data.access_token !== "string") {
      process.stderr.write(`Pulumi token exchange: HTTP ${r.status}\n`);
      process.exit(1);
    }
    process.stdout.write(data.access_token);
  '
}

case "${1:-}" in
'') echo "usage: ci/drift.sh rendered | ci/drift.sh <stack>" >&2 && exit 2 ;;
rendered) rendered ;;
*) stack "$1" ;;
esac
