#!/usr/bin/env bash
# The production install, for real, on a machine without Docker: what the
# Dockerfile does, step for step, then the production start against the
# running stack (the embedded one by default: run `npm run stack:up` first).
#
#   1. pack: `npm pack` of a copy of the source tree (prepack compiles with the
#      development dependencies, as the image's build stage does), so the
#      tarball holds exactly package.json's "files";
#   2. install: the tarball unpacked into an empty folder with the lock file,
#      `npm ci --omit=dev` (the image's runtime stage), and a check that no
#      development-only package (tsx, typescript, vitest, maildev,
#      testcontainers) got in;
#   3. start: `node dist/cli/main.js start` (npm run start:prod) as a
#      production process would run, REATIVA_STACK=external, in a namespace
#      of its own (its topics and groups), until /readyz answers 200; then
#      SIGTERM, which must end it with exit code 0.
#
# The check's process touches nothing that is not its own: its mapper group
# starts at the change log's end, its alert e-mails go nowhere (an SMTP port
# nobody listens on) and its deliveries to this machine are refused by the
# address guard (REATIVA_STACK=external allows no host), so other processes on
# the same stack see nothing of it. Its topics and groups are deleted at the end.
#
# Usage: bash scripts/check-prod-install.sh [scratch dir]   (default: a new temporary folder)
# KEEP=1 keeps the scratch folder. Any REATIVA_* variable in the environment is
# passed to the production process (to check against another cluster).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=/dev/null
source "$root/scripts/ensure-node.sh"
scratch="${1:-$(mktemp -d -t reativa-prod-check.XXXXXX)}"
mkdir -p "$scratch"
scratch="$(cd "$scratch" && pwd)"
started=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - started )) s)"; }

namespace="prodcheck-$(date +%s)-$$"
pid=""
cleanup() {
  local status=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  if [ -d "$scratch/app/node_modules/kafkajs" ]; then
    (cd "$scratch/app" && NAMESPACE="$namespace" timeout 60 node --input-type=module -e "$DROP_NAMESPACE" 2>&1) || echo "could not delete the check's topics and groups ($namespace.*)"
  fi
  if [ "${KEEP:-0}" = 1 ] || [ "$status" -ne 0 ]; then echo "scratch folder kept: $scratch"; else rm -rf "$scratch"; fi
  exit "$status"
}
trap cleanup EXIT

# kafkajs from the production install itself: the brokers and security as the process had them,
# with the request-queue fix Reativa's own clients have (without it Node prints a TimeoutNegativeWarning).
KAFKA_CLIENT='
import { Kafka, logLevel } from "kafkajs";
import { fixKafkaRequestQueue } from "./dist/kafka/request-queue-fix.js";
fixKafkaRequestQueue();
const brokers = (process.env.REATIVA_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const kafka = new Kafka({ clientId: "reativa-prod-check", brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const ns = process.env.NAMESPACE;
'
# The mapper's group starts at the change log's end: the check maps only what changes while it runs.
POSITION_MAPPER="$KAFKA_CLIENT"'
const topic = `${process.env.REATIVA_TOPIC_PREFIX ?? "erp"}.changes`;
const ends = await admin.fetchTopicOffsets(topic);
await admin.setOffsets({ groupId: `${ns}-mapper`, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
await admin.disconnect();
'
DROP_NAMESPACE="$KAFKA_CLIENT"'
const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${ns}.`));
if (topics.length > 0) await admin.deleteTopics({ topics });
const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${ns}-`));
if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
await admin.disconnect();
console.log(`deleted ${topics.length} topics and ${groups.length} groups of ${ns}`);
'

step "pack (a copy of the source tree; prepack compiles it)"
rsync -a --delete --exclude node_modules --exclude .stack --exclude .tools --exclude dist --exclude .git --exclude coverage "$root/" "$scratch/source/"
# The build needs the development dependencies: the ones installed here (the image's build stage runs npm ci).
ln -sfn "$root/node_modules" "$scratch/source/node_modules"
(cd "$scratch/source" && npm pack --silent --pack-destination "$scratch" >"$scratch/pack.txt")
tarball="$scratch/$(tail -n 1 "$scratch/pack.txt")"
# A listing in a file: `tar | grep -q` would end tar with SIGPIPE, which pipefail counts as a failure.
tar -tzf "$tarball" >"$scratch/contents.txt"
for required in package/dist/cli/main.js package/dist/stages/mapper/runner.js package/schemas/reativa/ package/connectors/erp-postgres.json; do
  grep -q "^$required" "$scratch/contents.txt" || { echo "the package lacks $required (package.json \"files\")"; exit 1; }
done
if grep -qE '^package/(src|test|bench|\.stack)/' "$scratch/contents.txt"; then echo "the package holds sources or tests: check package.json \"files\""; exit 1; fi
echo "$(basename "$tarball"): $(wc -l <"$scratch/contents.txt") files"

step "install (npm ci --omit=dev)"
mkdir -p "$scratch/app"
tar -xzf "$tarball" -C "$scratch/app" --strip-components=1
cp "$root/package-lock.json" "$scratch/app/"
(cd "$scratch/app" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
for dev in tsx typescript vitest maildev testcontainers; do
  if [ -e "$scratch/app/node_modules/$dev" ]; then echo "development dependency $dev was installed with --omit=dev"; exit 1; fi
done
echo "node_modules: $(du -sm "$scratch/app/node_modules" | cut -f1) MB"

step "start (node dist/cli/main.js start, namespace $namespace)"
cd "$scratch/app"
export REATIVA_STACK=external
export REATIVA_NAMESPACE="$namespace"
export REATIVA_STATE_DIR="$scratch/state"
export REATIVA_HTTP_PORT=0
export REATIVA_LOG_LEVEL="${REATIVA_LOG_LEVEL:-info}"
export REATIVA_SMTP_URL="${REATIVA_SMTP_URL:-smtp://127.0.0.1:9}"
NAMESPACE="$namespace" timeout 60 node --input-type=module -e "$POSITION_MAPPER"
node dist/cli/main.js start >"$scratch/reativa.log" 2>&1 &
pid=$!
launched=$(date +%s)
address=""
for _ in $(seq 1 600); do
  kill -0 "$pid" 2>/dev/null || { echo "reativa exited before it was ready:"; tail -n 30 "$scratch/reativa.log"; exit 1; }
  address=$(sed -n 's/.*"address":"\(http:[^"]*\)".*"msg":"http server listening.*/\1/p' "$scratch/reativa.log" | head -n 1)
  if [ -n "$address" ] && curl -fsS --max-time 5 "$address/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
if [ -z "$address" ] || ! curl -fsS --max-time 5 "$address/readyz" >/dev/null 2>&1; then
  echo "reativa did not become ready within 120 s:"; tail -n 30 "$scratch/reativa.log"; exit 1
fi
echo "ready in $(( $(date +%s) - launched )) s: $(curl -fsS --max-time 5 "$address/readyz")"

step "stop (SIGTERM)"
kill -TERM "$pid"
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then echo "reativa did not stop within 60 s of SIGTERM:"; tail -n 30 "$scratch/reativa.log"; exit 1; fi
code=0
wait "$pid" || code=$?
pid=""
if [ "$code" -ne 0 ]; then echo "reativa exited with $code on SIGTERM:"; tail -n 30 "$scratch/reativa.log"; exit 1; fi
# Errors fail the check, but for the alert e-mails it was told not to send (their SMTP port is closed on purpose).
errors=$(grep '"level":[56]0' "$scratch/reativa.log" | grep -v '"msg":"alert e-mails not sent' || true)
if [ -n "$errors" ]; then echo "reativa logged errors:"; echo "$errors" | head -n 5; exit 1; fi
# Node's own warnings (a deprecation, a negative timeout) go to stderr, outside the log: none either.
warnings=$(grep -E '^\(node:[0-9]+\) ' "$scratch/reativa.log" || true)
if [ -n "$warnings" ]; then echo "node printed warnings:"; echo "$warnings" | head -n 5; exit 1; fi
step "production install checked"
