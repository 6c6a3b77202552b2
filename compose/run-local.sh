#!/usr/bin/env bash
# Starts the given services from $BIN_DIR with their databases under $DATA_DIR, prefixes their
# logs with the service name, and stops them all (SIGTERM, graceful) on Ctrl-C or when one dies.
set -u
DATA_DIR=${DATA_DIR:-./data}
BIN_DIR=${BIN_DIR:-.build/debug}
mkdir -p "$DATA_DIR"
# An empty data folder gets the demo department once everything is up (pacer-demo, below).
first_start=0
[ -e "$DATA_DIR/deals.sqlite" ] || first_start=1
if [ $# -eq 0 ]; then
  echo "no services to start yet"; exit 0
fi
pids=()
stop() {
  trap - INT TERM
  echo "stopping: $*"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait
  exit 0
}
trap 'stop "$@"' INT TERM
for service in "$@"; do
  # Process substitution, not a pipe: $! must be the service, not the log prefixer.
  "$BIN_DIR/$service" --data-dir "$DATA_DIR" > >(sed -u "s/^/[$service] /") 2>&1 &
  pids+=($!)
done
sleep 2
if [ "$first_start" = 1 ] && [ -x "$BIN_DIR/pacer-demo" ]; then
  # A month of a 20-manager department, played through the services' own APIs.
  "$BIN_DIR/pacer-demo" --data-dir "$DATA_DIR" || echo "pacer-demo failed; the services run without demo data"
fi
echo
echo "Pacer is up: $*"
for service in "$@"; do
  case $service in
    pacer-deals) echo "  deals          http://127.0.0.1:8081/health";;
    pacer-telephony) echo "  telephony      http://127.0.0.1:8082/health";;
    pacer-accounting) echo "  accounting     http://127.0.0.1:8083/health";;
    pacer-kpi) echo "  kpi, dashboard http://127.0.0.1:8084/";;
    pacer-notifications) echo "  notifications  http://127.0.0.1:8085/health";;
  esac
done
[ -e "$DATA_DIR/demo-logins.txt" ] && echo "Demo logins (paste a token on the dashboard's login page): $DATA_DIR/demo-logins.txt"
echo "Ctrl-C stops everything."
wait -n
stop "$@"
