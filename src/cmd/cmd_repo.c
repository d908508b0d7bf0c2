/*
 * cmd_repo.c: "blastwall repo init|info|unlock": creating a repository,
 * showing its parameters, and removing a lock left by a writer that is gone.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup/crypto.h"
#include "backup/repo_admin.h"
#include "cmd/cmd.h"
#include "common/fs.h"

static const char usage[] =
	"usage: blastwall repo init PATH [--encrypt] [--key-file F | --passphrase-file F] [--compression-level N]\n"
	"       blastwall repo info [--repo PATH] [--key-file F | --passphrase-file F] [--json]\n"
	"       blastwall repo unlock [--repo PATH] [--force]\n"
	"\n"
	"  init     create a backup repository in PATH (a new or empty directory)\n"
	"  info     show a repository's id, format, chunking, compression and encryption\n"
	"  unlock   remove a stale writer lock (a live one only with --force)\n"
	"\n"
	"  --encrypt              encrypt everything stored (XChaCha20-Poly1305); needs a key file or passphrase\n"
	"  --key-file F           the key file; 'repo init' creates F with a random key when it does not exist\n"
	"  --passphrase-file F    read the passphrase from F (first line); or set BLASTWALL_PASSPHRASE\n"
	"  --compression-level N  zstd level 1-19 (default 1)\n"
	"  --repo PATH            the repository (default: $BLASTWALL_REPO)\n"
	"  --force                unlock even when the lock's process looks alive\n"
	"  --json                 machine-readable output\n";

/* Creates a key file with 32 random bytes (hex) when it does not exist. */
static int make_key_file(const char *path, bool *created, struct err *e)
{
	*created = false;
	if (fs_exists(path))
		return 0;
	uint8_t key[32];
	char hex[65];
	bwcrypto_random(key, sizeof(key));
	bwcrypto_hex(key, sizeof(key), hex);
	hex[64] = '\n';
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_errno(e, "cannot create key file '%s'", path);
	bool ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
	if (close(fd) < 0)
		ok = false;
	bwcrypto_wipe(key, sizeof(key));
	bwcrypto_wipe(hex, sizeof(hex));
	if (!ok) {
		unlink(path);
		return err_errno(e, "cannot write key file '%s'", path);
	}
	*created = true;
	return 0;
}

static int repo_init_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "encrypt", no_argument, NULL, 'e' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "compression-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo_init_opts o = { 0 };
	const char *key_file = NULL, *pass_file = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': o.encrypt = true; break;
		case 'k': key_file = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'l': {
			unsigned long long v;
			if (!str_to_u64(str_from(optarg), &v) || v < 1 || v > 19)
				return cmd_usage_error("repo init", "--compression-level takes 1 to 19, not '%s'", optarg);
			o.zstd_level = (int)v;
			break;
		}
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cmd_usage_error("repo init", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("repo init", optind >= argc ? "PATH is missing" : "too many arguments");
	if (key_file && pass_file)
		return cmd_usage_error("repo init", "give --key-file or --passphrase-file, not both");
	const char *path = argv[optind];
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	int rc = EXIT_FAIL;
	bool created = false;
	if (key_file || pass_file)
		o.encrypt = true;
	if (o.encrypt && !key_file && !pass_file && !getenv("BLASTWALL_KEY_FILE") && !getenv("BLASTWALL_PASSPHRASE")) {
		arena_free(a);
		return cmd_usage_error("repo init", "--encrypt needs --key-file F or --passphrase-file F");
	}
	if (key_file) {
		if (make_key_file(key_file, &created, &e) < 0)
			goto out;
		o.key.key_file = key_file;
	}
	if (pass_file && repo_read_passphrase_file(a, pass_file, &o.key.passphrase, &e) < 0)
		goto out;
	if (repo_init(path, &o, &e) < 0) {
		if (created)
			unlink(key_file); /* a key for nothing would only confuse */
		goto out;
	}
	struct repo *r;
	struct repo_key_opts k = o.key;
	if (repo_open(a, path, &k, &r, &e) < 0)
		goto out;
	struct repo_facts f;
	repo_get_facts(r, &f);
	printf("initialised blastwall repository '%s' (id %s, zstd level %d, %s)\n", path, f.id, f.zstd_level,
	       f.encrypted ? "encrypted" : "not encrypted");
	if (created)
		printf("created key file '%s': keep a copy somewhere safe, away from the backups; without it they cannot "
		       "be read\n",
		       key_file);
	else if (f.encrypted)
		printf("keep the %s safe: without it the backups cannot be read\n", key_file ? "key file" : "passphrase");
	printf("next: blastwall backup postgres://USER@HOST/DB --repo %s   (or sqlite:PATH)\n", path);
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK)
		err_print(&e);
	arena_free(a);
	return rc;
}

static int repo_info_main(int argc, char **argv)
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
		default: return cmd_usage_error("repo info", "unknown option");
		}
	}
	if (optind < argc) {
		if (ra.repo || optind + 1 != argc)
			return cmd_usage_error("repo info", "too many arguments");
		ra.repo = argv[optind];
	}
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct repo *r;
	if (repo_open_cli(a, &ra, &r, &e) < 0) {
		err_print(&e);
		arena_free(a);
		return e.code ? e.code : EXIT_FAIL;
	}
	struct repo_facts f;
	repo_get_facts(r, &f);
	int state;
	char desc[512];
	if (repo_lock_state(r, &state, desc, sizeof(desc), &e) < 0)
		state = -1;
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:i, s:b, s:s, s:s, s:i, s:{s:s, s:I, s:I, s:I}, s:s?}", "path",
				      repo_path(r), "id", f.id, "version", f.version, "encrypted", f.encrypted, "id_hash",
				      f.id_hash, "compression", "zstd",
				      "zstd_level", f.zstd_level, "chunker", "algorithm", "fastcdc-gear-v1", "min",
				      (json_int_t)f.chunk_min, "avg", (json_int_t)f.chunk_avg, "max",
				      (json_int_t)f.chunk_max, "lock", state > 0 ? desc : NULL);
		char *s = json_dumps(j, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(j);
	} else {
		printf("repository  %s\nid          %s\nformat      version %d\nencryption  %s\nobject ids  %s\n"
		       "compression zstd level %d\nchunking    FastCDC, %zu KiB min, %zu KiB average, %zu KiB max\n",
		       repo_path(r), f.id, f.version, f.encrypted ? "XChaCha20-Poly1305" : "none", f.id_hash,
		       f.zstd_level, f.chunk_min >> 10, f.chunk_avg >> 10, f.chunk_max >> 10);
		if (state > 0)
			printf("lock        %s%s\n", desc, state == 2 ? " (stale)" : "");
	}
	arena_free(a);
	return EXIT_OK;
}

static int repo_unlock_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repo", required_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo_args ra = { 0 };
	bool force = false;
	int c;
	while ((c = getopt_long(argc, argv, "r:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': repo_args_set(&ra, c, optarg); break;
		case 'f': force = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cmd_usage_error("repo unlock", "unknown option");
		}
	}
	if (optind < argc) {
		if (ra.repo || optind + 1 != argc)
			return cmd_usage_error("repo unlock", "too many arguments");
		ra.repo = argv[optind];
	}
	struct arena *a = arena_new();
	struct err e;
	err_init(&e);
	struct repo *r;
	int rc = EXIT_FAIL;
	/* unlocking needs no key: someone locked out of a stuck repository may not have it at hand */
	const char *path;
	if (repo_args_path(&ra, &path, &e) < 0 || repo_open_nokey(a, path, &r, &e) < 0)
		goto out;
	int state;
	char desc[512];
	if (repo_lock_state(r, &state, desc, sizeof(desc), &e) < 0)
		goto out;
	if (state == 0) {
		printf("repository '%s' is not locked\n", repo_path(r));
		rc = EXIT_OK;
		goto out;
	}
	if (state == 1 && !force) {
		err_set(&e, "repository '%s' is locked by %s, which looks alive", repo_path(r), desc);
		err_hint(&e, "stop that process first; if you are sure it is gone, run 'blastwall repo unlock --force --repo %s'",
			 repo_path(r));
		goto out;
	}
	if (repo_lock_remove(r, &e) < 0)
		goto out;
	printf("removed the lock held by %s\n", desc);
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK) {
		err_print(&e);
		if (e.code)
			rc = e.code;
	}
	arena_free(a);
	return rc;
}

int cmd_repo(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "init") == 0)
		return repo_init_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return repo_info_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "unlock") == 0)
		return repo_unlock_main(argc - 1, argv + 1);
	return cmd_usage_error("repo", "'%s' is not a repo subcommand (init, info, unlock)", argv[1]);
}
