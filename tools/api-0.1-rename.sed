# API 0.1.0 renames of skew_tracker.h (issue 21 item 10): a `sed -E -f` script, applied to every
# tracked text file by tools/api-0.1-rename.sh. Idempotent: every pattern matches only an old
# name (word boundaries), never a new one, so a second run changes nothing. Only names change
# here; the argument-order changes (writers) were hand edits under new names, so a call in the
# old order fails to compile instead of swapping its arguments.
# Naming rules: the "Naming" paragraph at the top of skew_tracker.h.

# getters: skew_[family_]get_<what>
s/\bskew_conn_get\b/skew_get_conn/g
s/\bskew_total\b/skew_get_total/g
s/\bskew_subscriber_count\b/skew_get_subscriber_count/g
s/\bskew_server_version\b/skew_get_server_version/g
s/\bskew_tracker_config\b/skew_get_config/g
s/\bskew_rollout_permille\b/skew_get_rollout_permille/g
s/\bskew_next_due\b/skew_get_next_due/g
s/\bskew_request_header\b/skew_get_header/g
s/\bskew_cookie_get\b/skew_get_cookie/g
s/\bskew_query_param\b/skew_get_query_param/g
s/\bskew_id_tag\b/skew_get_id_tag/g
s/\bskew_json_find\b/skew_json_get_path_raw/g
s/\bskew_json_path_string\b/skew_json_get_path_string/g
s/\bskew_json_path_int\b/skew_json_get_path_int/g
s/\bskew_client_ip\b/skew_get_client_ip/g
s/\bskew_post_connection_id\b/skew_get_post_connection_id/g

# lists (copy up to cap, return how many exist): skew_[family_]list_<what>
s/\bskew_versions\b/skew_list_versions/g
s/\bskew_routes\b/skew_list_routes/g
s/\bskew_cluster_peers\b/skew_cluster_list_peers/g

# writers already in the writer order (inputs, then buf, cap): skew_[family_]write_<what>
s/\bskew_server_version_copy\b/skew_write_server_version/g
s/\bskew_json_pong\b/skew_write_pong/g
s/\bskew_json_stats_unauthorized\b/skew_write_stats_unauthorized/g
s/\bskew_json_health\b/skew_write_health/g
s/\bskew_metrics_text\b/skew_write_metrics/g
s/\bskew_json_timeline\b/skew_write_timeline/g

# the cluster link state: a setter named as one, a type without _t, constants after the type
s/\bskew_cluster_state_t\b/skew_cluster_link/g
s/\bskew_cluster_state\b/skew_cluster_set_link/g
s/\bSKEW_CLUSTER_OFF\b/SKEW_CLUSTER_LINK_OFF/g
s/\bSKEW_CLUSTER_OK\b/SKEW_CLUSTER_LINK_OK/g
s/\bSKEW_CLUSTER_DEGRADED\b/SKEW_CLUSTER_LINK_DEGRADED/g

# enum constants follow their type's name
s/\bSKEW_CLOSE_(CLIENT|SEND_FAILED|SLOW|TIMEOUT|SHUTDOWN)\b/SKEW_CLOSE_REASON_\1/g
s/\bSKEW_LOG_(DEBUG|INFO|WARN|ERROR)\b/SKEW_LOG_LEVEL_\1/g
s/\bSKEW_AUTH_(DENIED|GRANTED|UNAVAILABLE|PENDING)\b/SKEW_AUTH_RESULT_\1/g

# the authorization answer type skew_auth -> skew_auth_result, only where it is used as a type:
# "skew_auth" alone also names the example module skew_auth.c/.h in prose ("skew_auth's reload
# list", "the admin token skew_auth read"), which stays.
s/\bskew_auth ([a-z_][a-z0-9_]*)\(/skew_auth_result \1(/g
s/\bskew_auth( +)([a-z_][a-z0-9_]*)( *[=;,)[])/skew_auth_result\1\2\3/g
s/\bskew_auth \(\*/skew_auth_result (*/g
s/\benum skew_auth \{/enum skew_auth_result {/g
s/\} skew_auth;/} skew_auth_result;/g
s/\(skew_auth\)/(skew_auth_result)/g
s/`skew_auth`/`skew_auth_result`/g

# two clocks, two names: epoch_ms is the wall clock (hooks.epoch_ms, the wire's timestamps),
# mono_ms the scheduling clock (skew_tick, skew_get_next_due)
s/\bhooks\.now_ms\b/hooks.epoch_ms/g
s/\(\*now_ms\)\(void \*user_data\)/(*epoch_ms)(void *user_data)/g
