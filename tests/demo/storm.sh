#!/bin/sh
# storm.sh: a realistic alert storm from an AI service in production, for
# `make demo` and for trying `owl tui`: the LLM provider goes down, token
# spend spikes, the nightly eval score drops, the GPU inference queue
# backs up, and around it the usual noise (pod restarts that flap and
# resolve, a disk at 81%, a certificate expiring, repeat deliveries).
# Alertmanager webhooks, generic JSON and one PagerDuty Events v2 event,
# either POSTed to a running `owl serve` (--url) or stored with
# `owl ingest` (default). Loopback only in tests.
#
# Rounds 1-4 are the storm; from round 5 on it goes on live: every
# round a pod starts crash-looping and the one before it recovers, the
# GPU queue of a second pool fills and drains, the firing groups are
# resent. --rounds 0 sends until killed (make demo), from round --from.
#
# usage: storm.sh [--url http://127.0.0.1:PORT [--token TOKEN]]
#                 [--owl PATH] [--db PATH] [--rounds N] [--from N]
#                 [--interval SEC]
set -u

URL="" TOKEN="${OWL_TOKEN:-}" OWL="${OWL:-./owl}" DB="" ROUNDS=4 INTERVAL=2
FROM=1
while [ $# -gt 0 ]; do
	case "$1" in
	--url) URL=$2; shift 2 ;;
	--token) TOKEN=$2; shift 2 ;;
	--owl) OWL=$2; shift 2 ;;
	--db) DB=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--from) FROM=$2; shift 2 ;;
	--interval) INTERVAL=$2; shift 2 ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "storm.sh: unknown option $1 (see: storm.sh --help)" >&2
	   exit 2 ;;
	esac
done
case "$ROUNDS$INTERVAL" in *[!0-9.]*|"")
	echo "storm.sh: --rounds and --interval take numbers" >&2; exit 2 ;;
esac
case "$ROUNDS$FROM" in *[!0-9]*|"")
	echo "storm.sh: --rounds and --from take whole numbers" >&2; exit 2 ;;
esac
[ "$FROM" -ge 1 ] || { echo "storm.sh: --from starts at 1" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/owl-storm-XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
FAILED=0
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
AM_EXT="http://alertmanager.ai-prod.internal:9093"
GRAFANA="https://grafana.ai-prod.internal"

# send FORMAT FILE: one payload to owl serve, or into the database.
send() {
	if [ -n "$URL" ]; then
		case "$1" in
		alertmanager) path=/v1/alerts/alertmanager ;;
		generic) path=/v1/alerts/generic ;;
		pagerduty) path=/v2/enqueue ;;
		esac
		if [ -n "$TOKEN" ]; then
			curl -fsS --max-time 5 -H "Authorization: Bearer $TOKEN" \
			    -H 'Content-Type: application/json' \
			    --data-binary "@$2" "$URL$path" >/dev/null
		else
			curl -fsS --max-time 5 -H 'Content-Type: application/json' \
			    --data-binary "@$2" "$URL$path" >/dev/null
		fi
	elif [ -n "$DB" ]; then
		"$OWL" --db "$DB" ingest --format "$1" "$2" >/dev/null
	else
		"$OWL" ingest --format "$1" "$2" >/dev/null
	fi || { FAILED=$((FAILED + 1)); echo "storm.sh: $1 payload not accepted" >&2; }
}

# am_alert STATUS LABELS_JSON SUMMARY DESCRIPTION DASHBOARD: one alert of
# an Alertmanager webhook (fingerprint left to the receiver).
am_alert() {
	ends="0001-01-01T00:00:00Z"
	[ "$1" = resolved ] && ends=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	printf '{"status":"%s","labels":%s,"annotations":{"summary":"%s",' \
	    "$1" "$2" "$3"
	printf '"description":"%s","dashboard":"%s/d/%s",' "$4" "$GRAFANA" "$5"
	printf '"runbook_url":"https://runbooks.ai-prod.internal/%s"},' "$5"
	printf '"startsAt":"%s","endsAt":"%s",' "$START" "$ends"
	printf '"generatorURL":"http://prometheus.ai-prod.internal:9090/graph?g0.expr=%s"}' "$5"
}

# am GROUP STATUS ALERTS...: an Alertmanager webhook for alertname GROUP.
am() {
	group=$1 status=$2
	shift 2
	f="$WORK/am.json"
	{
		printf '{"version":"4","groupKey":"{}:{alertname=\\"%s\\"}",' "$group"
		printf '"truncatedAlerts":0,"status":"%s","receiver":"owl",' "$status"
		printf '"groupLabels":{"alertname":"%s"},' "$group"
		printf '"commonLabels":{"alertname":"%s"},"commonAnnotations":{},' "$group"
		printf '"externalURL":"%s","alerts":[' "$AM_EXT"
		sep=""
		for a in "$@"; do printf '%s%s' "$sep" "$a"; sep=","; done
		printf ']}\n'
	} > "$f"
	send alertmanager "$f"
}

# generic ID STATUS SEVERITY TITLE MESSAGE LABELS_JSON
generic() {
	f="$WORK/generic.json"
	printf '{"id":"%s","status":"%s","severity":"%s","title":"%s","message":"%s","labels":%s,"url":"%s/d/%s"}\n' \
	    "$1" "$2" "$3" "$4" "$5" "$6" "$GRAFANA" "$1" > "$f"
	send generic "$f"
}

llm() { # llm REGION
	am_alert firing "{\"alertname\":\"LLMProviderDown\",\"severity\":\"critical\",\"service\":\"assistant\",\"provider\":\"openai\",\"region\":\"$1\",\"model\":\"gpt-4o\"}" \
	    "LLM provider down" \
	    "Completions to openai in $1 fail: 100% 5xx/timeouts for 3m; assistant answers degrade to errors." \
	    "llm-gateway"
}
gpu() { # gpu POOL DEPTH
	am_alert firing "{\"alertname\":\"GPUQueueBacklog\",\"severity\":\"critical\",\"service\":\"inference\",\"pool\":\"$1\"}" \
	    "GPU queue backlog" \
	    "Inference queue on $1 is $2 requests deep (p99 wait 94s); autoscaler at max nodes." \
	    "gpu-queue"
}
spend() {
	am_alert firing '{"alertname":"TokenSpendSpike","severity":"warning","service":"assistant","tenant":"acme-corp"}' \
	    "Token spend spike" \
	    "Token spend is 4.2x the 7-day baseline for tenant acme-corp (USD 312/h); a retry loop is suspected." \
	    "token-spend"
}
pod() { # pod STATUS N
	am_alert "$1" "{\"alertname\":\"KubePodCrashLooping\",\"severity\":\"info\",\"namespace\":\"ml-batch\",\"pod\":\"feature-sync-$2\"}" \
	    "Pod feature-sync-$2 restarting" \
	    "Pod ml-batch/feature-sync-$2 restarted 4 times in 10m." "k8s-pods"
}
disk() {
	am_alert firing '{"alertname":"NodeDiskUsage","severity":"warning","instance":"vec-db-2:9100","mountpoint":"/var/lib/qdrant"}' \
	    "Disk 81% full on vec-db-2" "/var/lib/qdrant on vec-db-2 is 81% full, growing 2%/day." "node-disk"
}

round() { # round N
	case "$1" in
	1)
		am LLMProviderDown firing "$(llm us-east-1)" "$(llm eu-west-1)"
		am GPUQueueBacklog firing "$(gpu a100-pool-1 1840)"
		am KubePodCrashLooping firing "$(pod firing 7f9c)"
		am NodeDiskUsage firing "$(disk)"
		;;
	2)
		am TokenSpendSpike firing "$(spend)"
		generic eval-nightly-helpfulness firing error "Eval score drop" \
		    "Nightly eval: helpfulness 0.91 -> 0.74 on assistant-v42 (500 prompts); refusals up 3x." \
		    '{"service":"assistant","suite":"nightly","model_version":"assistant-v42"}'
		am LLMProviderDown firing "$(llm us-east-1)" "$(llm eu-west-1)" "$(llm ap-south-1)"
		am KubePodCrashLooping firing "$(pod firing 7f9c)" "$(pod firing 2d1e)"
		;;
	3)
		am GPUQueueBacklog firing "$(gpu a100-pool-1 3925)" "$(gpu h100-pool-2 1210)"
		am KubePodCrashLooping resolved "$(pod resolved 7f9c)" "$(pod resolved 2d1e)"
		f="$WORK/pd.json"
		printf '{"routing_key":"R0UTINGKEY00000000000000000000AI","event_action":"trigger","dedup_key":"embeddings-latency","payload":{"summary":"Embedding service p99 latency 2.4s","source":"embeddings-api","severity":"warning","custom_details":{"p99_ms":2400,"slo_ms":800}}}\n' > "$f"
		send pagerduty "$f"
		generic cert-api-gateway firing info "TLS certificate expires in 12 days" \
		    "api.ai-prod.example: certificate expires in 12 days (auto-renew failed once)." \
		    '{"service":"api-gateway"}'
		;;
	4)
		# repeat deliveries: Alertmanager resends groups unchanged
		am LLMProviderDown firing "$(llm us-east-1)" "$(llm eu-west-1)" "$(llm ap-south-1)"
		am TokenSpendSpike firing "$(spend)"
		am KubePodCrashLooping firing "$(pod firing 9b3a)"
		;;
	*)
		# live: a new pod crash-loops, the one before it recovers
		am KubePodCrashLooping firing "$(pod firing "$(podid "$1")")" \
		    "$(pod resolved "$(podid $(($1 - 1)))")"
		# the h100 pool's queue fills for two rounds, drains for two
		if [ $(($1 % 4)) -lt 2 ]; then
			am GPUQueueBacklog firing "$(gpu a100-pool-1 $((3000 + $1 * 7)))" \
			    "$(gpu h100-pool-2 $((900 + $1 * 13)))"
		else
			am GPUQueueBacklog firing "$(gpu a100-pool-1 $((3000 + $1 * 7)))" \
			    "$(am_alert resolved '{"alertname":"GPUQueueBacklog","severity":"critical","service":"inference","pool":"h100-pool-2"}' \
			        "GPU queue backlog" "Inference queue on h100-pool-2 drained." "gpu-queue")"
		fi
		# and every third round Alertmanager resends the outage
		[ $(($1 % 3)) -eq 0 ] &&
		    am LLMProviderDown firing "$(llm us-east-1)" "$(llm eu-west-1)" "$(llm ap-south-1)"
		;;
	esac
}
# podid N: the pod of live round N (4 hex digits, like a ReplicaSet's);
# round 4's is the one it resends
podid() {
	if [ "$1" -eq 4 ]; then echo 9b3a
	else printf '%04x' $(($1 * 40503 % 65536)); fi
}

i=$FROM
while [ "$ROUNDS" -eq 0 ] || [ "$i" -lt $((FROM + ROUNDS)) ]; do
	round "$i"
	{ [ "$ROUNDS" -eq 0 ] || [ "$i" -lt $((FROM + ROUNDS - 1)) ]; } &&
		sleep "$INTERVAL"
	i=$((i + 1))
done
[ "$FAILED" -eq 0 ] || { echo "storm.sh: $FAILED payload(s) not accepted" >&2; exit 1; }
exit 0
