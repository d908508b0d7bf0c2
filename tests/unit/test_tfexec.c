/* test_tfexec.c: running terraform-like programs: output capture, exit codes, the time budget, the output cap. */
#include "harness.h"

#include "common/arena.h"
#include "common/buf.h"
#include "terraform/tfexec.h"

TEST(tfexec_captures_and_exit_codes)
{
	struct buf out, err;
	struct err e;
	const char *ok[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 0", NULL };
	const char *three[] = { "/bin/sh", "-c", "pwd; exit 3", NULL };
	buf_init(&out, 0);
	buf_init(&err, 4096);
	err_init(&e);
	CHECK_INTEQ(tfexec_run(ok, NULL, 5000, 1 << 20, &out, &err, &e), 0);
	CHECK(str_eqz(buf_str(&out), "out\n"));
	CHECK(str_eqz(buf_str(&err), "err\n"));
	buf_reset(&out);
	CHECK_INTEQ(tfexec_run(three, "/tmp", 5000, 1 << 20, &out, NULL, &e), 3);
	CHECK(str_eqz(buf_str(&out), "/tmp\n"));
	buf_release(&out);
	buf_release(&err);
}

TEST(tfexec_time_budget_and_cap)
{
	struct buf out;
	struct err e;
	const char *slow[] = { "/bin/sh", "-c", "sleep 30 & sleep 30; echo never", NULL };
	const char *chatty[] = { "/bin/sh", "-c", "yes", NULL };
	const char *missing[] = { "/nonexistent/terraform", "show", NULL };
	buf_init(&out, 0);
	err_init(&e);
	CHECK_INTEQ(tfexec_run(slow, NULL, 200, 1 << 20, &out, NULL, &e), -1);
	CHECK(strstr(e.msg, "did not finish within 200 ms") != NULL);
	CHECK_INTEQ(out.n, 0);
	err_init(&e);
	CHECK_INTEQ(tfexec_run(chatty, NULL, 5000, 1 << 16, &out, NULL, &e), -1);
	CHECK(strstr(e.msg, "wrote more than") != NULL);
	CHECK(out.n <= 1 << 16);
	err_init(&e);
	CHECK_INTEQ(tfexec_run(missing, NULL, 1000, 1024, &out, NULL, &e), -1);
	CHECK(e.msg[0] != 0);
	buf_release(&out);
}

TEST(tfexec_finds_binaries)
{
	struct arena *a = arena_new();
	CHECK(tfexec_find(a, "/bin/sh", false) != NULL);
	CHECK(tfexec_find(a, "/nonexistent/terraform", false) == NULL);
	CHECK(tfexec_find(a, "sh", false) != NULL); /* a name is looked up on PATH */
	arena_free(a);
}

TEST_MAIN(tfexec_captures_and_exit_codes, tfexec_time_budget_and_cap, tfexec_finds_binaries)
