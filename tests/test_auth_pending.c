/* A stats authorization answered later (SKEW_AUTH_RESULT_PENDING, skew_get_auth_subject,
   skew_set_stats_verdict): what an adapter that asks the app over the network (forward auth)
   relies on. Nothing is sent while the answer is pending; then `stats` or `stats-unauthorized`. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "fake_transport.h"

static skew_handle asked[8];
static int nasked;
static skew_auth_result answer = SKEW_AUTH_RESULT_PENDING;

static skew_auth_result pending_auth(void *ud, const skew_request *req, skew_auth_scope scope) {
    fake_env *e = (fake_env *)ud;
    skew_handle h = 0;
    /* admin endpoints (GET admin/stats asks STATS with no connection) never wait: taken as denied */
    if (scope != SKEW_AUTH_SCOPE_STATS || (req->path.len > 13 && !memcmp(req->path.ptr, "/__skew/admin", 13)))
        return SKEW_AUTH_RESULT_PENDING;
    CHECK_RES(skew_get_auth_subject(e->t, &h), SKEW_OK);
    if (nasked < 8) asked[nasked++] = h;
    return answer;
}

static void test_ws_pending(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle a, b, h;
    base_cfg(&c, &env);
    c.hooks.authorize = pending_auth;
    t = make(&c);
    nasked = 0;
    CHECK_RES(skew_get_auth_subject(t, &h), SKEW_ERR_NOT_FOUND); /* outside the hook */
    a = open_ws(t, &env, 0, NULL, NULL, NULL);
    b = open_ws(t, &env, 1, NULL, NULL, NULL);
    CHECK_EQ_INT(nasked, 2);
    CHECK(asked[0] == a && asked[1] == b); /* the hook learned which connection it was asked about */
    /* subscribe while pending: nothing yet (the client's `authorized` stays null) */
    CHECK_RES(skew_ws_message(t, a, skew_str_n("{\"type\":\"subscribe-stats\"}", 26)), SKEW_OK);
    CHECK_EQ_INT(count_type(&env, 0, "stats") + count_type(&env, 0, "stats-unauthorized"), 0);
    /* the answer comes: the waiting subscribe completes */
    CHECK_RES(skew_set_stats_verdict(t, a, SKEW_AUTH_RESULT_GRANTED), SKEW_OK);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 1);
    CHECK_RES(skew_set_stats_verdict(t, a, SKEW_AUTH_RESULT_GRANTED), SKEW_ERR_INVALID); /* nothing pending now */
    /* b: denied before it asked; its later subscribe uses the kept answer */
    CHECK_RES(skew_set_stats_verdict(t, b, SKEW_AUTH_RESULT_DENIED), SKEW_OK);
    CHECK_EQ_INT(env.conns[1].nmsg, 1); /* only `connected` */
    CHECK_RES(skew_ws_message(t, b, skew_str_n("{\"type\":\"subscribe-stats\"}", 26)), SKEW_ERR_UNAUTHORIZED);
    CHECK_EQ_INT(count_type(&env, 1, "stats-unauthorized"), 1);
    CHECK_EQ_INT(count_type(&env, 1, "stats"), 0);
    /* a's kept answer serves its next subscribe at once */
    CHECK_RES(skew_ws_message(t, a, skew_str_n("{\"type\":\"subscribe-stats\"}", 26)), SKEW_OK);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 2);
    /* a closed connection's late answer is stale */
    CHECK_RES(skew_close(t, b, SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
    CHECK_RES(skew_set_stats_verdict(t, b, SKEW_AUTH_RESULT_GRANTED), SKEW_ERR_STALE);
    unmake(t);
}

static void test_sse_pending(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle s;
    fake_req h;
    skew_request post;
    skew_response resp;
    char body[256], json[128], id[SKEW_ID_STR_MAX];
    skew_conn view;
    base_cfg(&c, &env);
    c.hooks.authorize = pending_auth;
    t = make(&c);
    nasked = 0;
    s = open_sse(t, &env, 0, NULL, NULL);
    CHECK_EQ_INT(nasked, 0); /* never asked at an SSE open */
    CHECK_RES(skew_get_conn(t, s, &view), SKEW_OK);
    memcpy(id, view.id, sizeof id);
    snprintf(json, sizeof json, "{\"connectionId\":\"%s\"}", id);
    post = make_req(&h, "POST", "/__skew/subscribe-stats", NULL, NULL);
    post.body = skew_str_c(json);
    add_header(&post, "content-type", "application/json");
    CHECK_RES(skew_http(t, &post, &resp, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(resp.status, 200); /* the verdict travels on the stream */
    CHECK_EQ_INT(nasked, 1);
    CHECK(asked[0] == s);
    CHECK_EQ_INT(count_type(&env, 0, "stats") + count_type(&env, 0, "stats-unauthorized"), 0);
    CHECK_RES(skew_set_stats_verdict(t, s, SKEW_AUTH_RESULT_DENIED), SKEW_ERR_UNAUTHORIZED);
    CHECK_EQ_INT(count_type(&env, 0, "stats-unauthorized"), 1);
    /* asking again (a new POST) asks the hook again; this time granted at once */
    answer = SKEW_AUTH_RESULT_GRANTED;
    CHECK_RES(skew_http(t, &post, &resp, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 1);
    answer = SKEW_AUTH_RESULT_PENDING;
    /* an admin endpoint never waits: PENDING there is a refusal */
    {
        fake_req h2;
        skew_request get = make_req(&h2, "GET", "/__skew/admin/stats", NULL, NULL);
        CHECK_RES(skew_http(t, &get, &resp, body, sizeof body), SKEW_OK);
        CHECK_EQ_INT(resp.status, 401);
    }
    unmake(t);
}

int main(void) {
    SUBTEST("ws_pending", test_ws_pending);
    SUBTEST("sse_pending", test_sse_pending);
    TEST_MAIN_END();
}
