#!/usr/bin/env bash
# make test-swarm: docker-compose.yml deployed with `docker stack deploy` on a single-node
# swarm of the private engine (docker/env.sh), as docs/docker.md "Swarm" describes:
#   - the file renders for Swarm (docker/stack.yml + docker/stack-render.py) and validates;
#   - php-fpm at 3 replicas behind nginx, all three serve requests;
#   - one replica is killed during a load run: Swarm replaces it, 0 non-2xx;
#   - a replica whose health check fails (its php-fpm stopped) is replaced by Swarm;
#   - `docker stack rm` leaves no container, network or volume; the swarm is left again
#     when this test created it.
# Traffic: only from a client container on the stack's own overlay network (no port is
# published). Every wait is bounded.
set -Euo pipefail
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/harness.sh
. tests/lib/harness.sh
# shellcheck source=docker/env.sh
. docker/env.sh

stack=${WITSPER_SWARM_TEST_STACK:-witsper-swarm-test}
replicas=3
started=$SECONDS
tmp=$(mktemp -d /tmp/witsper-swarm-test.XXXXXX)
note() { printf '      %s\n' "$*"; }
t() { printf '%ss' $((SECONDS - $1)); }
joined=0 client=''

# The engine is left as found: stopped again at the end if this suite started it.
engine_was_up=0
docker/engine.sh status && engine_was_up=1
if ! docker/engine.sh start; then
  must_run "the private Docker engine answers" "dockerd did not start; log $WITSPER_DOCKER_LOG"
  summary; exit 1
fi
eval "$(docker/engine.sh env)"

cleanup() {
  [[ -n $client ]] && docker rm -f "$client" >/dev/null 2>&1
  docker stack rm "$stack" >/dev/null 2>&1
  local i
  for i in $(seq 1 30); do
    [[ -z $(docker ps -aq --filter "label=com.docker.stack.namespace=$stack") ]] && break
    sleep 1
  done
  docker volume ls -q --filter "label=com.docker.stack.namespace=$stack" | xargs -r docker volume rm -f >/dev/null 2>&1
  if ((joined)); then
    docker swarm leave --force >/dev/null 2>&1
    docker network rm docker_gwbridge >/dev/null 2>&1
  fi
  rm -rf "$tmp"
  ((engine_was_up)) || docker/engine.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

# --- the image and the swarm ---------------------------------------------------------------
rnd() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n'; }
{
  echo "WORDPRESS_DB_PASSWORD=$(rnd)"
  echo "MARIADB_RANDOM_ROOT_PASSWORD=1"
  for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT \
           LOGGED_IN_SALT NONCE_SALT; do echo "WORDPRESS_$k=$(rnd)"; done
  echo "WITSPER_FFI_MODE=true"
  echo "WITSPER_IMAGE_TAG=compose-test"
  echo "WITSPER_FPM_REPLICAS=$replicas"
} >"$tmp/env"
dc=(docker compose --env-file "$tmp/env" -p "$stack")
t0=$SECONDS
t0=$SECONDS
if [[ -d ../shared/vendor/wp-cli ]] && [[ ! -f docker/wp-cli/wp-cli.phar ]]; then
  (cd ../shared/vendor/wp-cli && sha256sum -c --quiet SHA256SUMS) && cp ../shared/vendor/wp-cli/wp-cli.phar docker/wp-cli/
fi
check "image witsper/wordpress:compose-test built (docker compose build) [$(t $t0)]" \
  "${dc[@]}" build -q wordpress

if [[ $(docker info -f '{{.Swarm.LocalNodeState}}') != active ]]; then
  # Loopback only: a single-node swarm that no other machine can join.
  if docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null 2>"$tmp/init.err"; then
    joined=1
  fi
fi
if [[ $(docker info -f '{{.Swarm.LocalNodeState}}') == active ]]; then
  pass "single-node swarm active on the private engine"
else
  must_run "single-node swarm" "$(head -c 300 "$tmp/init.err")"; summary; exit 1
fi

# --- render, validate, deploy ------------------------------------------------------------------
"${dc[@]}" -f docker-compose.yml -f docker/stack.yml config 2>"$tmp/cfg.err" |
  WITSPER_STACK_NO_PORTS=1 docker/stack-render.py >"$tmp/stack.yml"
check "docker-compose.yml + docker/stack.yml render to a stack file" test -s "$tmp/stack.yml"
# `docker stack config` (docker 25+ client) validates against the Swarm schema when present.
# (Debian's 20.10 client has no `stack config`; `docker stack deploy` below validates too.)
sc=''
for c in docker /usr/local/bin/docker; do
  "$c" stack --help 2>/dev/null | grep -qE '^ +config ' && { sc=$c; break; }
done
if [[ -n $sc ]]; then
  check "$sc stack config -c (the docker stack deploy schema) accepts it" \
    bash -c "'$sc' stack config -c '$tmp/stack.yml' >/dev/null"
else
  skip "docker stack config" "no docker client with 'stack config' (docker 25+); deploy validates below"
fi
t0=$SECONDS
if docker stack deploy --resolve-image never -c "$tmp/stack.yml" "$stack" >"$tmp/deploy.log" 2>&1; then
  pass "docker stack deploy --resolve-image never $stack [$(t $t0)]"
else
  cat "$tmp/deploy.log"; fail "docker stack deploy"; summary; exit 1
fi

# Containers of the wordpress service that are running and healthy.
healthy_fpm() {
  docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_wordpress" \
    --filter health=healthy
}
wait_fpm() { # $1 seconds
  local i
  for ((i = 0; i < $1; i += 2)); do
    (($(healthy_fpm | wc -l) == replicas)) && return 0
    sleep 2
  done
  docker service ps --no-trunc "${stack}_wordpress" | head -n 12
  return 1
}
t0=$SECONDS
if wait_fpm 180; then pass "$replicas php-fpm replicas healthy [$(t $t0)]"
else fail "$replicas php-fpm replicas healthy within 180 s"; fi
# Swarm has no start order (no depends_on): wait for the database's own health check.
db_ok=0
for i in $(seq 1 90); do
  [[ -n $(docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_db" --filter health=healthy) ]] &&
    { db_ok=1; break; }
  sleep 2
done
check "database task healthy" test "$db_ok" = 1

# A client on the stack's own network (the nginx image has curl); nginx answers by name.
client=${stack}-client
docker run -d --name "$client" --network "${stack}_default" --entrypoint sleep nginx:1.27 900 >/dev/null
ncl() { docker exec "$client" "$@"; }
for i in $(seq 1 60); do
  [[ $(ncl curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://nginx/nginx-health) == 200 ]] && break
  sleep 2
done
check "nginx answers on the overlay network (http://nginx/nginx-health)" \
  test "$(ncl curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://nginx/nginx-health)" = 200

# WordPress installed and the plugin activated with WP-CLI in one php-fpm task (uid 33).
fpm1=$(healthy_fpm | head -n 1)
wpx() { docker exec -u 33:33 -e HOME=/tmp "$fpm1" wp "$@"; }
if wpx core install --url=http://nginx --title=Witsper --admin_user=admin --admin_password="$(rnd)" \
     --admin_email=admin@example.com --skip-email >"$tmp/wp.log" 2>&1 &&
   wpx rewrite structure '/%postname%/' >>"$tmp/wp.log" 2>&1 &&
   wpx plugin activate witsper-ffi >>"$tmp/wp.log" 2>&1; then
  pass "wp core install + plugin activate witsper-ffi in a php-fpm task"
else
  cat "$tmp/wp.log"; fail "wp core install + plugin activate witsper-ffi in a php-fpm task"
fi
h=$(ncl curl -s --max-time 10 http://nginx/wp-json/witsper/v1/health)
check "health through nginx: native_parser_active true" test "$(jq -r .native_parser_active <<<"$h" 2>/dev/null)" = true

# --- all replicas serve ----------------------------------------------------------------------------
gets() { docker logs "$1" 2>&1 | grep -c '"GET /index.php' || true; }
declare -A before
for c in $(healthy_fpm); do before[$c]=$(gets "$c"); done
# shellcheck disable=SC2016  # a script for the client container's sh, expanded there
ncl sh -c 'for i in $(seq 1 90); do curl -s -o /dev/null --max-time 10 http://nginx/; done'
served=0 dist=''
for c in "${!before[@]}"; do
  n=$(( $(gets "$c") - before[$c] ))
  dist+="${c:0:12}=$n "
  ((n > 0)) && served=$((served + 1))
done
check "all $replicas php-fpm replicas served requests (90 requests: $dist)" test "$served" = "$replicas"

# --- a replica killed during a load run ---------------------------------------------------------
load_bg() { # $1 requests -> $tmp/codes.$2; the background job's pid in $lp
  ncl sh -c "for i in \$(seq 1 $1); do curl -s -o /dev/null -w '%{http_code}\n' --max-time 15 http://nginx/; done" >"$tmp/codes.$2" 2>&1 &
  lp=$!
}
ids_before=$(docker service ps -q --filter desired-state=running "${stack}_wordpress" | sort)
victim=$(healthy_fpm | head -n 1)
load_bg 400 kill
sleep 3
docker kill "$victim" >/dev/null
t0=$SECONDS
wait "$lp"
n=$(wc -l <"$tmp/codes.kill"); bad=$(grep -vc '^200$' "$tmp/codes.kill" || true)
check "load run with a replica killed (SIGKILL) mid-run: $n requests, $bad non-2xx" \
  test "$n" = 400 -a "$bad" = 0
if wait_fpm 120; then pass "Swarm replaced the killed replica: $replicas healthy again ($(t $t0) after the kill)"
else fail "Swarm replaced the killed replica within 120 s"; fi
ids_after=$(docker service ps -q --filter desired-state=running "${stack}_wordpress" | sort)
check "... with a new task (task ids changed)" test "$ids_before" != "$ids_after"

# --- a replica whose health check fails ---------------------------------------------------------
# Every process of one php-fpm task stopped (SIGSTOP, sent from the host to the container's
# processes as `docker top` lists them: inside the container, PID 1 ignores signals it has
# no handler for): the container keeps running, but its health check (fpm-probe on the
# status listener) times out. Swarm must see it unhealthy
# (3 failed checks) and replace the task. (Requests nginx sends to it meanwhile would hang,
# so no load runs during this part; the SIGKILL run above is the one under load.)
sick=$(healthy_fpm | head -n 1)
for p in $(docker top "$sick" -o pid | tail -n +2); do kill -STOP "$p"; done
t0=$SECONDS
gone=0 unhealthy=0
for i in $(seq 1 90); do
  [[ $(docker inspect -f '{{.State.Health.Status}}' "$sick" 2>/dev/null) == unhealthy ]] && unhealthy=1
  [[ -z $(docker ps -q --filter "id=$sick" --filter status=running) ]] && { gone=1; break; }
  sleep 2
done
check "the stopped task was seen unhealthy and Swarm replaced it ($(t $t0); unhealthy seen: $unhealthy)" test "$gone" = 1
((gone)) || docker inspect -f '{{.State.Status}} {{json .State.Health}}' "$sick" 2>&1 | head -c 1500
if wait_fpm 120; then pass "$replicas healthy replicas again"; else fail "$replicas healthy replicas again within 120 s"; fi
# shellcheck disable=SC2016  # a script for the client container's sh, expanded there
codes=$(ncl sh -c 'for i in $(seq 1 30); do curl -s -o /dev/null -w "%{http_code}\n" --max-time 15 http://nginx/; done' | sort | uniq -c | tr -s ' \n' ' ')
check "site answers after the replacement (30 requests: $codes)" test "$codes" = " 30 200 "

# --- teardown ---------------------------------------------------------------------------------------
docker rm -f "$client" >/dev/null 2>&1; client=''
docker stack rm "$stack" >/dev/null 2>&1
for i in $(seq 1 60); do
  [[ -z $(docker ps -aq --filter "label=com.docker.stack.namespace=$stack") ]] && break
  sleep 1
done
for i in $(seq 1 20); do
  [[ -z $(docker network ls -q --filter "label=com.docker.stack.namespace=$stack") ]] && break
  sleep 1
done
docker volume ls -q --filter "label=com.docker.stack.namespace=$stack" | xargs -r docker volume rm -f >/dev/null 2>&1
left=$( { docker ps -aq --filter "label=com.docker.stack.namespace=$stack"
          docker network ls -q --filter "label=com.docker.stack.namespace=$stack"
          docker volume ls -q --filter "label=com.docker.stack.namespace=$stack"; } | wc -l)
check "docker stack rm (+ its volumes): nothing of $stack left ($left)" test "$left" = 0

say "swarm suite: $((SECONDS - started)) s"
summary
