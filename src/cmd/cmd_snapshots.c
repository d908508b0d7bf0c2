/*
 * cmd_snapshots.c: "blastwall snapshots [ID]": what the repository holds.
 * The list shows each snapshot's time, source, tables, rows and sizes (rows
 * come from meta.tables[], which the database backup fills); with an ID, one
 * snapshot's tables and streams. --json prints the same as JSON (schema in
 * doc/repository-format.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backup/repo_admin.h"
#include "cmd/cmd.h"

static const char usage[] =
	"usage: blastwall snapshots [--repo PATH] [--key-file F | --passphrase-file F] [--json] [ID]\n"
	"\n"
	"Lists the snapshots in a repository, oldest first: id, time (UTC), source, tables,\n"
	"rows, logical size and the bytes that snapshot added to the repository. With ID\n"
	"('latest', an id or a unique prefix) shows that snapshot's tables and streams.\n"
	"\n"
	"  --repo PATH            the repository (default: $BLASTWALL_REPO)\n"
	"  --key-file F           key file of an encrypted repository ($BLASTWALL_KEY_FILE)\n"
	"  --passphrase-file F    passphrase of an encrypted repository ($BLASTWALL_PASSPHRASE)\n"
	"  --json                 machine-readable output\n";

static uint64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

struct summary {
	const char *source, *kind, *hostname;
	uint64_t tables, rows, bytes, stored, streams;
	bool have_rows;
};

static void summarise(const struct snapshot_info *s, struct summary *out)
{
	json_t *m = s->manifest, *meta = json_object_get(m, "meta");
	memset(out, 0, sizeof(*out));
	out->source = json_string_value(json_object_get(meta, "source"));
	out->kind = json_string_value(json_object_get(meta, "kind"));
	out->hostname = json_string_value(json_object_get(m, "hostname"));
	json_t *tables = json_object_get(meta, "tables");
	if (json_is_array(tables)) {
		out->tables = json_array_size(tables);
		size_t i;
		json_t *t;
		json_array_foreach(tables, i, t) {
			if (json_is_integer(json_object_get(t, "rows")))
				out->have_rows = true;
			out->rows += jint(t, "rows");
		}
	}
	json_t *streams = json_object_get(m, "streams");
	out->streams = json_array_size(streams);
	size_t i;
	json_t *st;
	json_array_foreach(streams, i, st) {
		out->bytes += jint(st, "bytes");
		out->stored += jint(st, "stored_bytes");
	}
}

static const char *when(struct arena *a, int64_t t)
{
	char buf[64];
	return arena_strdup(a, utc_text(buf, t, "%Y-%m-%d %H:%M:%S"));
}

/* 1234567 -> "1,234,567" */
static const char *grouped(struct arena *a, uint64_t v)
{
	char raw[32], out[48];
	snprintf(raw, sizeof(raw), "%llu", (unsigned long long)v);
	size_t n = strlen(raw), o = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
	return arena_strdup(a, out);
}

static int sum_chunk(void *ctx, const char *id, uint64_t size, int64_t mtime)
{
	uint64_t *v = ctx;
	v[0]++;
	v[1] += size;
	return 0;
}

static json_t *summary_json(const struct snapshot_info *s, const struct summary *su)
{
	char t[64];
	utc_text(t, s->time, UTC_ISO);
	json_t *j = json_pack("{s:s, s:I, s:s, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I}", "id", s->id, "time",
			      (json_int_t)s->time, "time_utc", t, "source", su->source, "kind", su->kind, "hostname",
			      su->hostname, "streams", (json_int_t)su->streams, "tables", (json_int_t)su->tables,
			      "bytes", (json_int_t)su->bytes, "stored_bytes", (json_int_t)su->stored);
	json_object_set_new(j, "rows", su->have_rows ? json_integer((json_int_t)su->rows) : json_null());
	return j;
}

static int show_one(struct arena *a, const struct snapshot_info *s, bool json)
{
	struct summary su;
	summarise(s, &su);
	json_t *m = s->manifest, *meta = json_object_get(m, "meta");
	if (json) {
		json_t *j = summary_json(s, &su);
		json_object_set(j, "meta", meta ? meta : json_null());
		json_t *streams = json_array();
		size_t i;
		json_t *st;
		/* manifest version 1 records the bytes' SHA-256, 2 the chunk list's: say which one "checksum" is */
		bool v1 = json_integer_value(json_object_get(m, "version")) == 1;
		json_array_foreach(json_object_get(m, "streams"), i, st) {
			json_t *sum = json_object_get(st, v1 ? "sha256" : "chunk_list_sha256");
			json_t *js = json_pack("{s:O, s:O, s:O, s:s, s:I, s:O?}", "name", json_object_get(st, "name"), "bytes",
					       json_object_get(st, "bytes"), "checksum", sum,
					       "checksum_type", v1 ? "sha256" : "chunk-list-sha256", "chunks",
					       (json_int_t)json_array_size(json_object_get(st, "chunks")), "stored_bytes",
					       json_object_get(st, "stored_bytes"));
			if (v1)
				json_object_set(js, "sha256", sum); /* kept for scripts written before version 2 */
			json_array_append_new(streams, js);
		}
		json_object_set_new(j, "stream_list", streams);
		json_object_set(j, "manifest_version", json_object_get(m, "version"));
		json_object_set(j, "tool", json_object_get(m, "tool") ? json_object_get(m, "tool") : json_null());
		json_object_set(j, "duration_ms",
				json_object_get(m, "duration_ms") ? json_object_get(m, "duration_ms") : json_null());
		char *out = json_dumps(j, JSON_INDENT(2));
		puts(out);
		free(out);
		json_decref(j);
		return EXIT_OK;
	}
	printf("snapshot  %s\ntime      %s UTC\n", s->id, when(a, s->time));
	if (su.source)
		printf("source    %s\n", su.source);
	if (su.hostname)
		printf("host      %s\n", su.hostname);
	const char *tool = json_string_value(json_object_get(m, "tool"));
	if (tool)
		printf("tool      %s\n", tool);
	printf("format    manifest version %lld\n", (long long)json_integer_value(json_object_get(m, "version")));
	json_t *dur = json_object_get(m, "duration_ms");
	if (json_is_integer(dur))
		printf("took      %.1f s\n", (double)json_integer_value(dur) / 1000.0);
	printf("size      %s in %llu stream%s (%s newly stored)\n", repo_human_bytes(a, su.bytes),
	       (unsigned long long)su.streams, su.streams == 1 ? "" : "s", repo_human_bytes(a, su.stored));
	json_t *tables = json_object_get(meta, "tables");
	if (json_array_size(tables)) {
		printf("\n%-40s %15s %12s\n", "TABLE", "ROWS", "SIZE");
		size_t i;
		json_t *t;
		json_array_foreach(tables, i, t) {
			const char *schema = json_string_value(json_object_get(t, "schema"));
			const char *name = json_string_value(json_object_get(t, "name"));
			const char *full = schema && *schema ? arena_printf(a, "%s.%s", schema, name ? name : "?")
							     : (name ? name : "?");
			printf("%-40s %15s %12s\n", full,
			       json_is_integer(json_object_get(t, "rows")) ? grouped(a, jint(t, "rows")) : "-",
			       json_is_integer(json_object_get(t, "bytes")) ? repo_human_bytes(a, jint(t, "bytes")) : "-");
		}
		printf("%-40s %15s\n", "total", grouped(a, su.rows));
	}
	printf("\n%-48s %12s %8s\n", "STREAM", "SIZE", "CHUNKS");
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(m, "streams"), i, st) {
		printf("%-48s %12s %8zu\n", json_string_value(json_object_get(st, "name")),
		       repo_human_bytes(a, jint(st, "bytes")), json_array_size(json_object_get(st, "chunks")));
	}
	return EXIT_OK;
}

int cmd_snapshots(int argc, char **argv)
{
	static const struct option opts[] = {
		REPO_ARGS_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo_args ra = { 0 };
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': case 'k': case 'p': repo_args_set(&ra, c, optarg); break;
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cmd_usage_error("snapshots", "unknown option");
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error("snapshots", "too many arguments");
	const char *ref = optind < argc ? argv[optind] : NULL;
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct repo *r;
	int rc = EXIT_FAIL;
	if (repo_open_cli(a, &ra, &r, &e) < 0) {
		rc = e.code ? e.code : EXIT_FAIL;
		goto out;
	}
	if (ref) {
		struct snapshot_info s;
		if (repo_find_snapshot(r, a, ref, &s, &e) < 0)
			goto out;
		rc = show_one(a, &s, json);
		goto out;
	}
	struct snapshot_info *v;
	size_t n;
	if (repo_list_snapshots(r, a, &v, &n, &e) < 0)
		goto out;
	uint64_t stored[2] = { 0, 0 };
	if (repo_list_chunks(r, sum_chunk, stored, &e) < 0)
		goto out;
	uint64_t total_bytes = 0;
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			struct summary su;
			summarise(&v[i], &su);
			total_bytes += su.bytes;
			json_array_append_new(arr, summary_json(&v[i], &su));
		}
		json_t *j = json_pack("{s:s, s:o, s:{s:I, s:I, s:I, s:I}}", "repository", repo_path(r), "snapshots", arr,
				      "totals", "snapshots", (json_int_t)n, "bytes", (json_int_t)total_bytes, "chunks",
				      (json_int_t)stored[0], "stored_bytes", (json_int_t)stored[1]);
		char *s = json_dumps(j, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(j);
		rc = EXIT_OK;
		goto out;
	}
	if (n == 0) {
		printf("repository '%s' has no snapshots yet\n", repo_path(r));
		rc = EXIT_OK;
		goto out;
	}
	printf("%-12s %-19s  %-32s %6s %14s %11s %11s\n", "ID", "TIME (UTC)", "SOURCE", "TABLES", "ROWS", "SIZE", "ADDED");
	for (size_t i = 0; i < n; i++) {
		struct summary su;
		summarise(&v[i], &su);
		total_bytes += su.bytes;
		const char *src = su.source ? su.source : "-";
		if (strlen(src) > 32)
			src = arena_printf(a, "...%s", src + strlen(src) - 29);
		printf("%-12.12s %-19s  %-32s %6llu %14s %11s %11s\n", v[i].id, when(a, v[i].time), src,
		       (unsigned long long)su.tables, su.have_rows ? grouped(a, su.rows) : "-",
		       repo_human_bytes(a, su.bytes), repo_human_bytes(a, su.stored));
	}
	double ratio = stored[1] ? (double)total_bytes / (double)stored[1] : 0;
	printf("\n%zu snapshot%s, %s of data; the repository stores %s in %llu chunk%s", n, n == 1 ? "" : "s",
	       repo_human_bytes(a, total_bytes), repo_human_bytes(a, stored[1]), (unsigned long long)stored[0],
	       stored[0] == 1 ? "" : "s");
	if (ratio > 0)
		printf(" (%.1fx smaller)", ratio);
	printf("\n");
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK)
		err_print(&e);
	arena_free(a);
	return rc;
}
